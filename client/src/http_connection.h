// HttpConnection: one keep-alive HTTP/1.1 connection to the daemon (Beast over a UnixStream).
// exchange() sends one request and reads its whole answer before a deadline; a failure says
// how far it got, so the pool can tell a request that never reached the daemon (safe to send
// again on a fresh connection) from one that may have been acted on. Used by one thread at a
// time (the pool hands a connection to one call).
#pragma once

#include <expected>
#include <filesystem>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include "http_request.h"
#include "http_response.h"
#include "unix_stream.h"

namespace swarmcopy::client {

class HttpConnection {
 public:
  struct Failure {
    boost::system::error_code error;
    bool sent = false;      // the whole request was written
    bool answered = false;  // some of an answer was read
  };

  static std::expected<HttpConnection, boost::system::error_code> open(
      const std::filesystem::path& socket, UnixStream::Clock::time_point deadline);

  std::expected<HttpResponse, Failure> exchange(const HttpRequest& request,
                                                UnixStream::Clock::time_point deadline);

  // See UnixStream::is_stale.
  bool is_stale() const { return stream_.is_stale(); }

 private:
  explicit HttpConnection(UnixStream stream) : stream_(std::move(stream)) {}

  UnixStream stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace swarmcopy::client
