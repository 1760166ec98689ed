// ConnectionPool: the daemon calls of one RemoteManager. Each call takes an idle keep-alive
// connection (or opens one), sends its request, reads the answer before a deadline and gives
// the connection back. A daemon that went away is a kUnavailable error naming the socket; the
// next call simply connects again, so a daemon restart costs the calls made while it was down
// and nothing more. Thread-safe: concurrent calls use separate connections.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

#include "http_connection.h"
#include "http_request.h"
#include "http_response.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::client {

class ConnectionPool {
 public:
  ConnectionPool(std::filesystem::path socket, std::chrono::milliseconds call_timeout);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The daemon's answer, whatever its status; an error only when there was none.
  api::Result<HttpResponse> exchange(const HttpRequest& request);

  const std::filesystem::path& socket() const { return socket_; }
  std::chrono::milliseconds call_timeout() const { return call_timeout_; }

 private:
  std::optional<HttpConnection> take_idle();
  void give_back(HttpConnection connection);
  void drop_idle();

  const std::filesystem::path socket_;
  const std::chrono::milliseconds call_timeout_;
  std::mutex mutex_;
  std::vector<HttpConnection> idle_;
};

// The kUnavailable error for a daemon that cannot be reached at `socket` (`what` failed with
// `error`): "cannot reach swarmcopyd: connection refused (local 111): /run/...sock".
api::Error unavailable(const std::filesystem::path& socket, const std::string& what,
                       const boost::system::error_code& error);

}  // namespace swarmcopy::client
