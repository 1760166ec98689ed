#include "connection.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/file_posix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <string>
#include <utility>

#include "swarmcopy/registry/oci_request.h"
#include "upstream_call.h"

namespace swarmcopy::registry {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The distribution spec's error body.
std::string oci_error(std::string_view code, std::string_view message) {
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
  }
  return R"({"errors":[{"code":")" + std::string(code) + R"(","message":")" + escaped + "\"}]}";
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<Mirror::State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}
  ~Connection() { --state_->connections; }

  void read_next() {
    if (state_->stopped) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    parser_->body_limit(0);  // pulls carry no body
    stream_.expires_after(state_->options.io_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->close();  // bad, slow or closed: nothing to answer
                       self->route();
                     });
  }

 private:
  const ClientRequest& request() const { return parser_->get(); }
  bool is_head() const { return request().method() == http::verb::head; }

  void route() {
    const auto& req = request();
    const auto target = std::string_view(req.target().data(), req.target().size());
    auto parsed = parse_oci_target(target);
    if (!parsed) {
      if (!target.starts_with("/v2/") && target != "/v2") {
        return respond_text(http::status::not_found, oci_error("UNSUPPORTED", "not an OCI path"));
      }
      return respond_text(http::status::bad_request,
                          oci_error("NAME_INVALID", "malformed name, reference or digest"));
    }
    const bool read_only = req.method() == http::verb::get || req.method() == http::verb::head;
    if (parsed->kind == OciRequest::Kind::kPush || !read_only) {
      return respond_text(http::status::method_not_allowed,
                          oci_error("UNSUPPORTED", "a pull-through mirror: pulls only"),
                          "GET, HEAD");
    }
    const auto* upstream = select_upstream(state_->options.upstreams, parsed->ns);
    if (upstream == nullptr) {
      return respond_text(
          http::status::not_found,
          oci_error("NAME_UNKNOWN", "no upstream for ns=" + parsed->ns.value_or("")));
    }
    upstream_ = *upstream;
    request_ = std::move(*parsed);
    // The path went through the grammar: it holds no query, escape or dot segment.
    std::string path(target.substr(0, target.find('?')));
    upstream_target_ = upstream_.base_path + path + request_.upstream_query;
    if (request_.kind == OciRequest::Kind::kBlob && !is_head() &&
        is_sha256_digest(request_.digest)) {
      return check_blob();
    }
    pass_through(req.method());
  }

  // Manifests, tags, the ping, HEAD of a blob, and errors: the upstream's answer as it is.
  void pass_through(http::verb method) {
    call_upstream(stream_.get_executor(), state_->options, upstream_, request(), method,
                  upstream_target_,
                  [self = shared_from_this()](std::expected<UpstreamResponse, std::string> got) {
                    self->relay(std::move(got));
                  });
  }

  void relay(std::expected<UpstreamResponse, std::string> got) {
    if (!got) {
      spdlog::warn("registry mirror: {} {}: {}", upstream_.name, upstream_target_, got.error());
      return respond_text(http::status::bad_gateway, oci_error("UNKNOWN", got.error()));
    }
    text_.emplace();
    text_->result(got->result_int());
    text_->version(11);
    for (const auto& field : *got) {
      const auto name = field.name_string();
      if (is_hop_by_hop(std::string_view(name.data(), name.size()))) continue;
      if (field.name() == http::field::content_length) continue;
      text_->insert(name, field.value());
    }
    if (is_head()) {
      // No body, but the length the upstream announced (a blob's size, a manifest's).
      if (auto length = got->find(http::field::content_length); length != got->end()) {
        text_->set(http::field::content_length, length->value());
      }
    } else {
      text_->body() = std::move(got->body());
      text_->prepare_payload();
    }
    write_text();
  }

  // A blob GET: the upstream is asked first with HEAD (no blob bytes), so that a 401 with its
  // WWW-Authenticate, a 404 or a 500 reaches the client as the upstream gave it; then the
  // swarm fetches the blob.
  void check_blob() {
    call_upstream(stream_.get_executor(), state_->options, upstream_, request(), http::verb::head,
                  upstream_target_,
                  [self = shared_from_this()](std::expected<UpstreamResponse, std::string> got) {
                    if (got && got->result_int() >= 200 && got->result_int() < 400) {
                      return self->fetch_blob();
                    }
                    if (!got) return self->relay(std::move(got));
                    // The error's body too: GET it (an error answer is small and bounded).
                    self->pass_through(http::verb::get);
                  });
  }

  void fetch_blob() {
    BlobFetch blob;
    blob.url = upstream_.url() + upstream_target_.substr(upstream_.base_path.size());
    blob.sha256 = request_.digest.substr(7);
    blob.repository = request_.name;
    if (auto auth = request().find(http::field::authorization); auth != request().end()) {
      blob.headers.push_back("Authorization: " + std::string(auth->value()));
    }
    asio::post(state_->fetchers, [self = shared_from_this(), blob = std::move(blob)] {
      auto got = self->state_->blobs->fetch(blob, self->state_->stopped);
      auto executor = self->stream_.get_executor();
      asio::post(executor,
                 [self, got = std::move(got)]() mutable { self->send_blob(std::move(got)); });
    });
  }

  void send_blob(std::expected<BlobFile, std::string> got) {
    if (!got) {
      spdlog::warn("registry mirror: {} {}: {}", request_.name, request_.digest, got.error());
      return respond_text(http::status::bad_gateway, oci_error("UNKNOWN", got.error()));
    }
    // Beast's file owns and closes its descriptor: it gets a duplicate of ours.
    beast::file_posix file;
    beast::error_code ec;
    if (const int fd = ::fcntl(got->fd.get(), F_DUPFD_CLOEXEC, 0); fd >= 0) {
      file.native_handle(fd);
    } else {
      ec = beast::error_code(errno, boost::system::generic_category());
    }
    file_.emplace();
    if (!ec) file_->body().reset(std::move(file), ec);
    if (ec) {
      file_.reset();
      return respond_text(http::status::internal_server_error, oci_error("UNKNOWN", ec.message()));
    }
    file_->result(http::status::ok);
    file_->version(11);
    file_->set(http::field::content_type, "application/octet-stream");
    file_->set("Docker-Content-Digest", request_.digest);
    file_->set(http::field::etag, "\"" + request_.digest + "\"");
    file_->keep_alive(request().keep_alive());
    file_->prepare_payload();
    stream_.expires_never();  // a large layer to a slow client: each write below has its own
    write_file();
  }

  void write_file() {
    // The body is written in pieces so that a deadline bounds each, not the whole layer.
    if (!serializer_) serializer_.emplace(*file_);
    stream_.expires_after(state_->options.io_timeout);
    http::async_write_some(stream_, *serializer_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return self->close();
                             if (!self->serializer_->is_done()) return self->write_file();
                             const bool again = self->file_->keep_alive();
                             self->serializer_.reset();
                             self->file_.reset();
                             again ? self->read_next() : self->close();
                           });
  }

  void respond_text(http::status status, std::string body, std::string_view allow = {}) {
    text_.emplace();
    text_->result(status);
    text_->version(11);
    text_->set(http::field::content_type, "application/json");
    text_->set("Docker-Distribution-API-Version", "registry/2.0");
    if (!allow.empty()) text_->set(http::field::allow, std::string(allow));
    if (is_head()) {
      text_->content_length(body.size());
    } else {
      text_->body() = std::move(body);
      text_->prepare_payload();
    }
    write_text();
  }

  void write_text() {
    text_->keep_alive(request().keep_alive());
    stream_.expires_after(state_->options.io_timeout);
    http::async_write(stream_, *text_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        const bool again = self->text_->keep_alive();
                        self->text_.reset();
                        again ? self->read_next() : self->close();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Mirror::State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  OciRequest request_;
  Upstream upstream_;
  std::string upstream_target_;
  std::optional<http::response<http::string_body>> text_;
  std::optional<http::response<http::file_body>> file_;
  std::optional<http::response_serializer<http::file_body>> serializer_;
};

}  // namespace

void serve_connection(tcp::socket socket, std::shared_ptr<Mirror::State> state) {
  std::make_shared<Connection>(std::move(socket), std::move(state))->read_next();
}

}  // namespace swarmcopy::registry
