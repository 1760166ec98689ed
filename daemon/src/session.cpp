#include "session.h"

#include <malloc.h>

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>

#include <exception>

#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Headers are small in this API; a client that sends more is not one of ours.
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// After an error answer the rest of the request is read and thrown away for at most this long
// (so the client reads the answer instead of a reset), then the connection closes.
constexpr std::chrono::seconds kLingerLimit{2};

std::string status_line(int status) {
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
}

// Boost 1.74's Beast speaks boost::string_view.
std::string_view view(boost::beast::string_view text) { return {text.data(), text.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Session::Session(Socket socket, engine::Caller caller, SessionContext context)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      caller_(caller),
      context_(context) {}

Session::~Session() {
  if (subscriber_) {
    context_.hub.unsubscribe(subscriber_.get());
    subscriber_->close();
  }
  if (on_end_) on_end_();
}

void Session::start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void Session::reject(Reply reply) {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), reply = std::move(reply)] {
    self->keep_alive_ = false;
    self->write_reply(reply);
  });
}

void Session::close() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

void Session::close_now() {
  if (closed_) return;
  closed_ = true;
  disarm_deadline();
  if (subscriber_) {
    context_.hub.unsubscribe(subscriber_.get());
    subscriber_->close();
  }
  beast::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Session::arm_deadline(std::chrono::seconds timeout) {
  const auto generation = ++deadline_generation_;
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
    // A deadline disarmed or re-armed meanwhile is stale, even if its wait completed.
    if (ec || generation != self->deadline_generation_) return;
    self->close_now();
  });
}

void Session::disarm_deadline() {
  ++deadline_generation_;
  timer_.cancel();
}

// ---------------------------------------------------------------- requests

void Session::read_request() {
  if (closed_) return;
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(context_.limits.max_request_bytes.load());
  arm_deadline(std::chrono::seconds(context_.limits.io_timeout_seconds.load()));
  http::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  const auto& request = parser_->get();
  const auto expect = view(request[http::field::expect]);
  if (!expect.empty()) {
    if (!iequals(expect, "100-continue")) {
      keep_alive_ = false;
      return write_reply(
          Reply::error(400, caller_error(api::ErrorKind::kInvalidArgument,
                                         "unsupported Expect header (only 100-continue)")));
    }
    // curl asks before sending a body over 1 KiB; the size was checked against the limit when
    // the header was parsed, so the answer is yes.
    out_ = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->close_now();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void Session::read_body() {
  http::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
}

void Session::on_request(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  disarm_deadline();
  dispatch();
}

void Session::on_read_error(beast::error_code ec) {
  disarm_deadline();
  if (closed_) return;
  // The client went away between requests, or the deadline closed the socket: nothing to say.
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
      ec == asio::error::connection_reset) {
    return close_now();
  }
  keep_alive_ = false;
  if (ec == http::error::body_limit) {
    return write_reply(Reply::error(
        413,
        caller_error(api::ErrorKind::kInvalidArgument,
                     "request body over the limit of " +
                         std::to_string(context_.limits.max_request_bytes.load()) + " bytes")));
  }
  if (ec == http::error::header_limit) {
    return write_reply(Reply::error(
        400, caller_error(api::ErrorKind::kInvalidArgument,
                          "request header over " + std::to_string(kHeaderLimit) + " bytes")));
  }
  write_reply(Reply::error(400, caller_error(api::ErrorKind::kInvalidArgument,
                                             "malformed HTTP request: " + ec.message())));
}

void Session::dispatch() {
  auto& request = parser_->get();
  keep_alive_ = request.keep_alive();
  if (!context_.limiter.try_acquire(caller_.uid)) {
    Reply reply = Reply::error(caller_error(api::ErrorKind::kLimitExceeded,
                                            "too many requests: slow down (limit per user)"));
    reply.headers.emplace_back("Retry-After", "1");
    return write_reply(std::move(reply));
  }
  auto match = context_.router.match(view(request.method_string()), view(request.target()));
  if (!match) return write_reply(std::move(match.error()));

  RouteRequest route;
  route.caller = caller_;
  route.method = std::string(view(request.method_string()));
  route.path = std::move(match->path);
  route.id = std::move(match->id);
  route.query = std::move(match->query);
  route.body = std::move(request.body());
  asio::post(context_.handlers, [self = shared_from_this(), handler = match->handler,
                                 route = std::move(route)] {
    Reply reply;
    try {
      reply = (*handler)(route);
    } catch (const std::exception& e) {
      // A bug or out of memory: the client gets a 500 and the daemon keeps serving.
      spdlog::error("{} {} failed: {}", route.method, route.path, e.what());
      reply = Reply::error(
          api::Error{api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal, 0,
                     std::string("internal error: ") + e.what(), "", api::Protocol::kNone});
    }
    asio::post(self->socket_.get_executor(),
               [self, reply = std::move(reply)]() mutable { self->on_reply(std::move(reply)); });
  });
}

void Session::on_reply(Reply reply) {
  if (closed_) return;
  if (reply.stream) return start_stream(*reply.stream);
  write_reply(std::move(reply));
}

void Session::write_reply(Reply reply) {
  if (closed_) return;
  const bool close_after = !keep_alive_ || reply.close;
  out_ = status_line(reply.status);
  out_ += "Server: swarmcopyd\r\nContent-Type: " + reply.content_type + "\r\n";
  for (const auto& [name, value] : reply.headers) out_ += name + ": " + value + "\r\n";
  out_ += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  if (close_after) out_ += "Connection: close\r\n";
  out_ += "\r\n";
  out_ += reply.body;
  arm_deadline(std::chrono::seconds(context_.limits.io_timeout_seconds.load()));
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                      self->on_written(ec, close_after);
                    });
}

void Session::on_written(beast::error_code ec, bool close_after) {
  disarm_deadline();
  release_large_buffer();
  if (ec || closed_) return close_now();
  if (close_after) return linger_close();
  read_request();
}

// A list of 10 000 jobs is a 7 MB answer: a keep-alive session must not keep that capacity,
// and glibc keeps freed memory of that size in its arenas unless asked to give it back.
void Session::release_large_buffer() {
  constexpr std::size_t kKeep = 64 << 10;
  constexpr std::size_t kTrim = 1 << 20;
  if (out_.capacity() <= kKeep) return;
  const bool trim = out_.capacity() >= kTrim;
  std::string().swap(out_);
  if (trim) ::malloc_trim(0);
}

void Session::linger_close() {
  beast::error_code ignored;
  socket_.shutdown(Socket::shutdown_send, ignored);
  arm_deadline(kLingerLimit);
  drain();
}

void Session::drain() {
  socket_.async_read_some(asio::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->close_now();
                            self->drain();
                          });
}

// ---------------------------------------------------------------- event stream

void Session::start_stream(const EventFilter& filter) {
  std::weak_ptr<Session> weak = shared_from_this();
  auto executor = socket_.get_executor();
  subscriber_ = std::make_shared<EventSubscriber>(filter, context_.limits.event_queue_limit.load(),
                                                  [weak, executor] {
                                                    asio::post(executor, [weak] {
                                                      if (auto self = weak.lock())
                                                        self->pump_events();
                                                    });
                                                  });
  context_.hub.subscribe(subscriber_);
  out_ = status_line(200);
  out_ +=
      "Server: swarmcopyd\r\nContent-Type: application/x-ndjson\r\nCache-Control: no-cache\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  write_stream();
  watch_for_hangup();
}

// Writes out_ (the stream's head or an event chunk), then looks for more events.
void Session::write_stream() {
  writing_ = true;
  arm_deadline(std::chrono::seconds(context_.limits.io_timeout_seconds.load()));
  asio::async_write(
      socket_, asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        // Until the next event: a stream quiet this long is closed (the client
        // reconnects), so idle streams cannot hold connections forever.
        self->arm_deadline(std::chrono::seconds(self->context_.limits.event_idle_seconds.load()));
        self->writing_ = false;
        if (ec) return self->close_now();
        self->pump_events();
      });
}

void Session::pump_events() {
  if (closed_ || writing_ || !subscriber_) return;
  bool dropped = false;
  auto lines = subscriber_->pop_all(dropped);
  if (dropped) {
    spdlog::info("events: dropped a subscriber of uid {} that does not read", caller_.uid);
    return close_now();
  }
  if (lines.empty()) return;
  std::string data;
  for (const auto& line : lines) data += line;
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  out_ = size;
  out_ += data;
  out_ += "\r\n";
  write_stream();
}

void Session::watch_for_hangup() {
  // A subscriber only listens; whatever it sends is ignored, and its end of the connection
  // closing ends the subscription.
  socket_.async_read_some(asio::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->close_now();
                            self->watch_for_hangup();
                          });
}

}  // namespace swarmcopy::daemon
