// Session: one client connection. Reads HTTP/1.1 requests one at a time (keep-alive, a body
// limit, Expect: 100-continue), answers each through the Router, and for GET /v1/events turns
// into a chunked stream of event lines fed by an EventSubscriber.
//
// Threads: everything of a session runs on its own strand; a route handler (which calls the
// engine and may block briefly) runs on the shared handler pool and posts its Reply back. So a
// slow engine call holds one pool thread, and a slow or stuck client holds only its own
// connection: reads and writes have deadlines (io_timeout_seconds), after which the connection
// is closed. One request is in flight per connection, which bounds the pool's queue by the
// number of connections.
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "reply.h"
#include "session_context.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::daemon {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;

  Session(Socket socket, engine::Caller caller, SessionContext context);
  // Runs once when the session is destroyed (the server's registry of live sessions).
  void set_on_end(std::function<void()> on_end) { on_end_ = std::move(on_end); }
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading requests.
  void start();
  // Answers one error at once and closes (too many connections, a refused caller).
  void reject(Reply reply);
  // Closes the connection; any thread.
  void close();

 private:
  void read_request();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_request(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec);
  void dispatch();
  void on_reply(Reply reply);
  void write_reply(Reply reply);
  void on_written(boost::beast::error_code ec, bool close_after);
  void write_stream();
  void release_large_buffer();
  void linger_close();
  void drain();
  void start_stream(const EventFilter& filter);
  void pump_events();
  void watch_for_hangup();
  void close_now();

  // A deadline for the operation about to start: when it passes, the connection closes.
  void arm_deadline(std::chrono::seconds timeout);
  void disarm_deadline();

  Socket socket_;
  boost::asio::steady_timer timer_;
  engine::Caller caller_;
  SessionContext context_;  // references to what the server shares; they outlive sessions
  std::function<void()> on_end_;

  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string out_;  // the bytes being written (an answer, a chunk)
  bool keep_alive_ = true;
  bool closed_ = false;
  std::uint64_t deadline_generation_ = 0;

  // Event stream state.
  std::shared_ptr<EventSubscriber> subscriber_;
  bool writing_ = false;
  std::array<char, 512> scratch_{};
};

}  // namespace swarmcopy::daemon
