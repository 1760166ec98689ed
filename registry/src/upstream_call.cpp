#include "upstream_call.h"

#include <strings.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>

namespace swarmcopy::registry {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(const asio::any_io_executor& executor, const MirrorOptions& options,
       const Upstream& upstream, UpstreamDone done)
      : resolver_(executor), stream_(executor), upstream_(upstream), done_(std::move(done)) {
    parser_.header_limit(static_cast<std::uint32_t>(options.max_upstream_header_bytes));
    parser_.body_limit(options.max_passthrough_bytes);
    timeout_ = options.upstream_timeout;
  }

  void run(http::request<http::empty_body> request) {
    request_ = std::move(request);
    // A HEAD's answer announces a length but carries no body.
    if (request_.method() == http::verb::head) parser_.skip(true);
    stream_.expires_after(timeout_);
    resolver_.async_resolve(
        upstream_.host, std::to_string(upstream_.port),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type found) {
          if (ec) return self->fail("cannot resolve " + self->upstream_.host + ": " + ec.message());
          self->stream_.async_connect(
              found, [self](beast::error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
        });
  }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return fail("cannot connect to " + upstream_.host_header() + ": " + ec.message());
    http::async_write(
        stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->fail("sending to the upstream: " + ec.message());
          http::async_read(self->stream_, self->buffer_, self->parser_,
                           [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
        });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) return fail("the upstream's answer is too large");
    if (ec) return fail("reading the upstream's answer: " + ec.message());
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    done_(parser_.release());
  }

  void fail(std::string why) { done_(std::unexpected(std::move(why))); }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  Upstream upstream_;
  UpstreamDone done_;
  std::chrono::seconds timeout_{60};
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

bool is_hop_by_hop(std::string_view header) {
  static constexpr std::array<std::string_view, 10> kNames = {"connection",
                                                              "keep-alive",
                                                              "proxy-connection",
                                                              "proxy-authenticate",
                                                              "proxy-authorization",
                                                              "te",
                                                              "trailer",
                                                              "transfer-encoding",
                                                              "upgrade",
                                                              "host"};
  for (auto name : kNames) {
    if (header.size() == name.size() &&
        ::strncasecmp(header.data(), name.data(), name.size()) == 0) {
      return true;
    }
  }
  return false;
}

void call_upstream(const asio::any_io_executor& executor, const MirrorOptions& options,
                   const Upstream& upstream, const ClientRequest& client, http::verb method,
                   std::string target, UpstreamDone done) {
  http::request<http::empty_body> request{method, target, 11};
  for (const auto& field : client) {
    const auto name = field.name_string();
    if (is_hop_by_hop(std::string_view(name.data(), name.size()))) continue;
    if (field.name() == http::field::content_length) continue;
    request.insert(field.name_string(), field.value());
  }
  request.set(http::field::host, upstream.host_header());
  request.keep_alive(false);
  auto call = std::make_shared<Call>(executor, options, upstream, std::move(done));
  call->run(std::move(request));
}

}  // namespace swarmcopy::registry
