// HttpRequest: one call to the daemon as the transport sends it: method, target and an
// optional JSON body (already serialized). Plain value type.
#pragma once

#include <optional>
#include <string>

namespace swarmcopy::client {

struct HttpRequest {
  enum class Method { kGet, kPost, kPatch };
  Method method = Method::kGet;
  std::string target;               // "/v1/jobs/ID/resume"
  std::optional<std::string> body;  // JSON text; sent as application/json

  // Sending it twice has the effect of sending it once: a GET. Only these are retried when a
  // reused connection fails after the request may have reached the daemon.
  bool idempotent() const { return method == Method::kGet; }
};

}  // namespace swarmcopy::client
