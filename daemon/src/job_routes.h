// The endpoints of daemon/API.md on a Router: each one turns a RouteRequest into calls on the
// caller's Manager view (Service::manager_for) and answers JSON through the ipc codec. Handlers
// call the engine synchronously, so the server runs them on its handler pool, never on an I/O
// thread. Stateless apart from the service: safe on any number of threads at once.
#pragma once

#include <memory>
#include <string>

#include "daemon_mode.h"
#include "router.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::daemon {

void add_job_routes(Router& router, std::shared_ptr<engine::Service> service, DaemonMode mode,
                    std::string version);

}  // namespace swarmcopy::daemon
