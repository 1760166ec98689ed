// DaemonRpc: the JSON calls of daemon/API.md on top of the connection pool: a request body
// in, the answer's JSON out, and a failed call's {"error": Error} turned back into the very
// api::Error the daemon's engine returned, so a caller of RemoteManager sees the same errors
// as a caller of the embedded engine. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "connection_pool.h"
#include "http_request.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::client {

class DaemonRpc {
 public:
  DaemonRpc(std::filesystem::path socket, std::chrono::milliseconds call_timeout)
      : pool_(std::move(socket), call_timeout) {}

  api::Result<nlohmann::json> call(HttpRequest::Method method, const std::string& target,
                                   const std::optional<nlohmann::json>& body = std::nullopt);

  const std::filesystem::path& socket() const { return pool_.socket(); }
  std::chrono::milliseconds call_timeout() const { return pool_.call_timeout(); }

 private:
  ConnectionPool pool_;
};

}  // namespace swarmcopy::client
