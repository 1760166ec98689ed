// RouteRequest: one parsed request as a route handler sees it: who asks (from SO_PEERCRED),
// the path parameter, the query and the body. Plain value type.
#pragma once

#include <map>
#include <string>

#include "swarmcopy/engine/service.h"

namespace swarmcopy::daemon {

struct RouteRequest {
  engine::Caller caller;
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string id;      // the {id} segment of the route, when it has one
  std::map<std::string, std::string> query;
  std::string body;
};

}  // namespace swarmcopy::daemon
