// The cache endpoints of daemon/API.md: the engine's content cache while it serves jobs, which
// `swarmcopy cache` cannot open itself then (the state directory is locked). Anyone who may
// talk to the daemon may read it (the keys are content hashes, and a repeat download already
// tells whether content is cached); prune and clear change what every user's next download
// costs, so only the administrator (root) or the daemon's own uid (a user daemon's owner) may
// call them. Handlers call the service synchronously: the server runs them on its handler pool.
// Stateless apart from the service: safe on any number of threads at once.
#pragma once

#include <sys/types.h>

#include <memory>

#include "router.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::daemon {

// True when `caller` may prune or clear the cache of a daemon running as `daemon_uid`.
bool may_clean_cache(const engine::Caller& caller, uid_t daemon_uid);

void add_cache_routes(Router& router, std::shared_ptr<engine::Service> service, uid_t daemon_uid);

}  // namespace swarmcopy::daemon
