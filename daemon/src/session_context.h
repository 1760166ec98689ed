// SessionContext: what every connection's Session shares, owned by the Server: the routes, the
// event hub, the per-uid rate limiter, the reloadable limits, and the pool on which handlers
// (engine calls) run. References stay valid until the server has stopped every session.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "event_hub.h"
#include "rate_limiter.h"
#include "router.h"
#include "server_limits.h"

namespace swarmcopy::daemon {

struct SessionContext {
  const Router& router;
  EventHub& hub;
  RateLimiter& limiter;
  const ServerLimits& limits;
  boost::asio::thread_pool& handlers;
};

}  // namespace swarmcopy::daemon
