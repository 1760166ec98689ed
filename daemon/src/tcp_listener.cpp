#include "tcp_listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <utility>

#include "swarmcopy/util/tcp_listen.h"

namespace swarmcopy::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::chrono::seconds kExchangeDeadline{10};

}  // namespace

struct TcpListener::State {
  State(asio::io_context& io, asio::thread_pool& handlers, std::string name, Pages pages)
      : io(io),
        handlers(handlers),
        name(std::move(name)),
        pages(std::move(pages)),
        acceptor(asio::make_strand(io)) {}
  asio::io_context& io;
  asio::thread_pool& handlers;
  const std::string name;
  const Pages pages;
  tcp::acceptor acceptor;
  std::atomic<int> connections{0};
  std::atomic<bool> stopped{false};
};

namespace {

// One connection: read a request, answer, close. Keeps itself alive through its handlers.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(tcp::socket socket, std::shared_ptr<TcpListener::State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}
  ~Exchange() { --state_->connections; }

  void run() {
    stream_.expires_after(kExchangeDeadline);
    parser_.header_limit(8 * 1024);
    parser_.body_limit(0);
    http::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) return;  // a bad or slow request: nothing to answer, the connection closes
    const auto& request = parser_.get();
    std::string target(request.target());
    if (const auto query = target.find('?'); query != std::string::npos) target.resize(query);
    const auto page = state_->pages.find(target);
    if (page == state_->pages.end()) {
      respond(http::status::not_found, "not served here\n", "text/plain");
      return;
    }
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      respond(http::status::method_not_allowed, "GET only\n", "text/plain");
      return;
    }
    // Rendering asks the engine: off the I/O threads, as every route. The page lives as long as
    // the state, which this exchange holds.
    asio::post(state_->handlers, [self = shared_from_this(), page = &page->second] {
      std::string body = page->render();
      asio::post(self->stream_.get_executor(), [self, page, body = std::move(body)]() mutable {
        self->respond(http::status::ok, std::move(body), page->content_type);
      });
    });
  }

  void respond(http::status status, std::string body, std::string type) {
    response_.result(status);
    response_.version(11);
    response_.set(http::field::server, "swarmcopyd");
    response_.set(http::field::content_type, type);
    if (status == http::status::method_not_allowed) response_.set(http::field::allow, "GET, HEAD");
    response_.keep_alive(false);
    if (parser_.get().method() != http::verb::head) response_.body() = std::move(body);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<TcpListener::State> state_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> response_;
};

void accept_next(const std::shared_ptr<TcpListener::State>& state);

void on_accept(const std::shared_ptr<TcpListener::State>& state, beast::error_code ec,
               tcp::socket socket) {
  if (ec == asio::error::operation_aborted || state->stopped) return;
  if (ec) {
    // Out of descriptors, most likely: pause rather than spin, as the socket's server does.
    spdlog::warn("{}: accept: {}", state->name, ec.message());
    auto timer = std::make_shared<asio::steady_timer>(state->acceptor.get_executor(),
                                                      std::chrono::milliseconds(50));
    timer->async_wait([state, timer](beast::error_code) {
      if (!state->stopped) accept_next(state);
    });
    return;
  }
  if (++state->connections > TcpListener::kMaxConnections) {
    --state->connections;
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Exchange>(std::move(socket), state)->run();
  }
  accept_next(state);
}

void accept_next(const std::shared_ptr<TcpListener::State>& state) {
  state->acceptor.async_accept(asio::make_strand(state->io),
                               [state](beast::error_code ec, tcp::socket socket) {
                                 on_accept(state, ec, std::move(socket));
                               });
}

}  // namespace

TcpListener::TcpListener(asio::io_context& io, asio::thread_pool& handlers, std::string name,
                         Pages pages)
    : state_(std::make_shared<State>(io, handlers, std::move(name), std::move(pages))) {}

TcpListener::~TcpListener() { stop(); }

api::Result<void> TcpListener::listen(const ListenEndpoint& endpoint) {
  auto failed = [&](const boost::system::error_code& ec) {
    return std::unexpected(api::Error{api::ErrorContext::kGeneralTransport,
                                      api::ErrorKind::kInvalidArgument, ec.value(),
                                      state_->name + " " + endpoint.address + ":" +
                                          std::to_string(endpoint.port) + ": " + ec.message(),
                                      "", api::Protocol::kHttp});
  };
  if (const auto ec = util::listen_on(state_->acceptor, endpoint.address, endpoint.port); ec) {
    return failed(ec);
  }
  return {};
}

std::uint16_t TcpListener::port() const {
  boost::system::error_code ec;
  const auto local = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : local.port();
}

void TcpListener::start() {
  asio::post(state_->acceptor.get_executor(), [state = state_] { accept_next(state); });
}

void TcpListener::stop() {
  if (state_->stopped.exchange(true)) return;
  auto state = state_;
  asio::post(state->acceptor.get_executor(), [state] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
}

}  // namespace swarmcopy::daemon
