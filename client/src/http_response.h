// HttpResponse: the daemon's answer to one HttpRequest: the status and the whole body.
// Plain value type.
#pragma once

#include <string>

namespace swarmcopy::client {

struct HttpResponse {
  int status = 0;
  std::string body;
  bool keep_alive = false;  // the connection may carry the next request
};

}  // namespace swarmcopy::client
