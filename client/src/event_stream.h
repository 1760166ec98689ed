// EventStream: one GET /v1/events connection: the request, the 200 answer's headers, then the
// chunked body read as it comes, one event line at a time. A read waits as long as the daemon
// is quiet; only the cancel descriptor (or the daemon going away) ends it. Used by the event
// thread alone.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "swarmcopy/api/error.h"
#include "unix_stream.h"

namespace swarmcopy::client {

class EventStream {
 public:
  // Returns once the daemon has answered 200 (or with the error: kUnavailable when it cannot
  // be reached or said nothing before `deadline`, else the daemon's own error).
  static api::Result<std::unique_ptr<EventStream>> open(const std::filesystem::path& socket,
                                                        const std::string& target, int cancel_fd,
                                                        UnixStream::Clock::time_point deadline);

  // The next non-empty line of the body, without its '\n'. An error when the stream ends
  // (the daemon stopped), fails, or is cancelled.
  api::Result<std::string> next_line();

 private:
  using Parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

  EventStream(std::filesystem::path socket, UnixStream stream)
      : socket_(std::move(socket)), stream_(std::move(stream)) {}

  std::filesystem::path socket_;
  UnixStream stream_;
  boost::beast::flat_buffer buffer_;
  Parser parser_;
  std::string pending_;  // body bytes read but not yet returned as lines
};

}  // namespace swarmcopy::client
