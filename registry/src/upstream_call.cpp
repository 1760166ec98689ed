#include "upstream_call.h"

#include <openssl/ssl.h>
#include <strings.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <array>

namespace swarmcopy::registry {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(const asio::any_io_executor& executor, const MirrorOptions& options, asio::ssl::context& tls,
       const Upstream& upstream, UpstreamDone done)
      : resolver_(executor), plain_(executor), upstream_(upstream), done_(std::move(done)) {
    parser_.header_limit(static_cast<std::uint32_t>(options.max_upstream_header_bytes));
    parser_.body_limit(options.max_passthrough_bytes);
    timeout_ = options.upstream_timeout;
    if (upstream_.tls) {
      secure_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, tls);
      // The certificate must name the host (or the IP address) the setting names.
      secure_->set_verify_mode(asio::ssl::verify_peer);
      secure_->set_verify_callback(asio::ssl::host_name_verification(upstream_.host));
    }
  }

  void run(http::request<http::empty_body> request) {
    request_ = std::move(request);
    // A HEAD's answer announces a length but carries no body.
    if (request_.method() == http::verb::head) parser_.skip(true);
    lowest().expires_after(timeout_);
    resolver_.async_resolve(
        upstream_.host, std::to_string(upstream_.port),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type found) {
          if (ec) return self->fail("cannot resolve " + self->upstream_.host + ": " + ec.message());
          self->lowest().async_connect(
              found, [self](beast::error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
        });
  }

 private:
  beast::tcp_stream& lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : plain_; }

  void on_connect(beast::error_code ec) {
    if (ec) return fail("cannot connect to " + upstream_.host_header() + ": " + ec.message());
    if (!secure_) return exchange(plain_);
    // SNI, for a host name (RFC 6066 names no IP literal).
    if (!is_ip_literal(upstream_.host) &&
        SSL_set_tlsext_host_name(secure_->native_handle(), upstream_.host.c_str()) != 1) {
      return fail("cannot set the TLS server name " + upstream_.host);
    }
    secure_->async_handshake(
        asio::ssl::stream_base::client, [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            return self->fail("TLS with " + self->upstream_.host_header() + ": " + ec.message());
          }
          self->exchange(*self->secure_);
        });
  }

  template <class Stream>
  void exchange(Stream& stream) {
    http::async_write(
        stream, request_, [self = shared_from_this(), &stream](beast::error_code ec, std::size_t) {
          if (ec) return self->fail("sending to the upstream: " + ec.message());
          http::async_read(stream, self->buffer_, self->parser_,
                           [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
        });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) return fail("the upstream's answer is too large");
    if (ec) return fail("reading the upstream's answer: " + ec.message());
    // The connection is not reused: closed without TLS's close_notify, the answer being whole.
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    done_(parser_.release());
  }

  void fail(std::string why) { done_(std::unexpected(std::move(why))); }

  tcp::resolver resolver_;
  beast::tcp_stream plain_;                                       // http://
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure_;  // https://
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
                   asio::ssl::context& tls, const Upstream& upstream, const ClientRequest& client,
                   http::verb method, std::string target, UpstreamDone done) {
  http::request<http::empty_body> request{method, target, 11};
  for (const auto& field : client) {
    const auto name = field.name_string();
    if (is_hop_by_hop(std::string_view(name.data(), name.size()))) continue;
    if (field.name() == http::field::content_length) continue;
    request.insert(field.name_string(), field.value());
  }
  request.set(http::field::host, upstream.host_header());
  request.keep_alive(false);
  auto call = std::make_shared<Call>(executor, options, tls, upstream, std::move(done));
  call->run(std::move(request));
}

}  // namespace swarmcopy::registry
