#include "connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "swarmcopy/registry/byte_range.h"
#include "swarmcopy/registry/oci_request.h"
#include "swarmcopy/util/file_io.h"
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
      // The mirror answers the range itself, from the blob it fetches; the upstream's check
      // (HEAD, or the GET of an error) is about the whole blob.
      range_ = header(http::field::range);
      if_range_ = header(http::field::if_range);
      parser_->get().erase(http::field::range);
      parser_->get().erase(http::field::if_range);
      return check_blob();
    }
    pass_through(req.method());
  }

  // Manifests, tags, the ping, HEAD of a blob, and errors: the upstream's answer as it is.
  void pass_through(http::verb method) {
    call_upstream(stream_.get_executor(), state_->options, state_->tls, upstream_, request(),
                  method, upstream_target_,
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
    call_upstream(stream_.get_executor(), state_->options, state_->tls, upstream_, request(),
                  http::verb::head, upstream_target_,
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
      auto got = self->state_->blobs->open(blob, self->state_->stopped);
      auto executor = self->stream_.get_executor();
      asio::post(executor,
                 [self, got = std::move(got)]() mutable { self->send_blob(std::move(got)); });
    });
  }

  // The blob goes out as it arrives: the header once its size is known, then its bytes as the
  // fetch makes them ready (BlobSource), all but the last until the SHA-256 matched (take). A
  // fetch that fails after the header went out ends the body short: the client sees a broken
  // transfer, never a whole wrong blob.
  void send_blob(std::expected<std::shared_ptr<BlobStream>, std::string> got) {
    const auto failed = [&](const std::string& why) {
      spdlog::warn("registry mirror: {} {}: {}", request_.name, request_.digest, why);
      respond_text(http::status::bad_gateway, oci_error("UNKNOWN", why));
    };
    if (!got) return failed(got.error());
    const auto progress = (*got)->progress();
    if (progress.error) return failed(*progress.error);
    blob_ = std::move(*got);
    take(progress);
    const std::string etag = "\"" + request_.digest + "\"";
    const auto range = answer_range(range_, if_range_, etag, progress.size);
    const std::string size = std::to_string(progress.size);
    if (range.kind == RangeAnswer::Kind::kUnsatisfiable) {
      blob_.reset();
      text_.emplace();
      text_->result(http::status::range_not_satisfiable);
      text_->version(11);
      text_->set(http::field::content_range, "bytes */" + size);
      text_->set(http::field::content_type, "application/json");
      text_->body() = oci_error("BLOB_UNKNOWN", "the range holds no byte of the blob");
      text_->prepare_payload();
      return write_text();
    }
    next_ = 0;
    end_ = progress.size;
    body_.emplace();
    body_->result(http::status::ok);
    if (range.kind == RangeAnswer::Kind::kPart) {
      next_ = range.first;
      end_ = range.last + 1;
      body_->result(http::status::partial_content);
      body_->set(http::field::content_range, "bytes " + std::to_string(range.first) + "-" +
                                                 std::to_string(range.last) + "/" + size);
    }
    body_->version(11);
    body_->set(http::field::content_type, "application/octet-stream");
    body_->set(http::field::accept_ranges, "bytes");
    body_->set("Docker-Content-Digest", request_.digest);
    body_->set(http::field::etag, etag);
    body_->content_length(end_ - next_);
    body_->keep_alive(request().keep_alive());
    body_->body().data = nullptr;
    body_->body().more = true;
    serializer_.emplace(*body_);
    chunk_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, end_ - next_)));
    // A large layer to a slow client: each write has its own deadline, not the whole body.
    stream_.expires_after(state_->options.io_timeout);
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();
                               self->write_chunk();
                             });
  }

  // The body goes out a chunk at a time, read at its offset (pread) once the fetch has it: a
  // deadline bounds each write, not the whole layer, and any range is as cheap as its start.
  void write_chunk() {
    if (next_ < end_ && next_ >= ready_) return wait_for_bytes();
    const auto want = static_cast<std::size_t>(
        std::min<std::uint64_t>(chunk_.size(), std::min(ready_, end_) - std::min(next_, end_)));
    if (want > 0) {
      if (const int error = util::pread_fully(blob_->fd(), {chunk_.data(), want}, next_);
          error != 0) {
        // The header is out: the client sees the body end short, and retries.
        spdlog::warn("registry mirror: {} {}: reading the blob at {}: {}", request_.name,
                     request_.digest, next_, std::strerror(error == ENODATA ? EIO : error));
        return close();
      }
      next_ += want;
    }
    body_->body().data = want > 0 ? chunk_.data() : nullptr;
    body_->body().size = want;
    body_->body().more = next_ < end_;
    stream_.expires_after(state_->options.io_timeout);
    http::async_write(stream_, *serializer_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec == http::error::need_buffer) ec = {};
                        if (ec) return self->close();
                        if (!self->serializer_->is_done()) return self->write_chunk();
                        const bool again = self->body_->keep_alive();
                        self->serializer_.reset();
                        self->body_.reset();
                        self->blob_.reset();
                        self->chunk_ = {};
                        again ? self->read_next() : self->close();
                      });
  }

  // The next bytes are not in yet: wait for them on the fetch pool, then go on here.
  void wait_for_bytes() {
    // No deadline while the fetch works: the client waits for the blob as it would for an
    // upstream that sends it slowly (the fetch has its own stall limit).
    stream_.expires_never();
    asio::post(state_->fetchers, [self = shared_from_this(), seen = seen_] {
      auto progress = self->blob_->wait(seen, self->state_->stopped);
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self, progress = std::move(progress)] {
        if (progress.error) {
          spdlog::warn("registry mirror: {} {}: {} ({} of {} bytes sent)", self->request_.name,
                       self->request_.digest, *progress.error, self->next_, self->end_);
          return self->close();  // the header is out: the body ends short
        }
        self->take(progress);
        self->write_chunk();
      });
    });
  }

  // The blob's last byte waits for its SHA-256 check: a fetch that fails it ends every answer
  // short, so no client ever holds a whole blob that is not the one named.
  void take(const BlobProgress& progress) {
    seen_ = progress.ready;
    ready_ = progress.verified || progress.size == 0 ? progress.ready
                                                     : std::min(progress.ready, progress.size - 1);
  }

  std::optional<std::string> header(http::field field) const {
    const auto it = request().find(field);
    if (it == request().end()) return std::nullopt;
    return std::string(it->value());
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
  // A blob GET's Range and If-Range, kept aside while the upstream is asked about the blob.
  std::optional<std::string> range_, if_range_;
  // A blob being sent: its stream, bytes [next_, end_) still to go, [0, ready_) of it may go
  // now; one chunk read at a time.
  static constexpr std::size_t kChunkBytes = 256 << 10;
  std::shared_ptr<BlobStream> blob_;
  std::uint64_t next_ = 0;
  std::uint64_t end_ = 0;
  std::uint64_t ready_ = 0;  // what may be sent
  std::uint64_t seen_ = 0;   // the fetch's ready bytes as last heard
  std::vector<char> chunk_;
  std::optional<http::response<http::buffer_body>> body_;
  std::optional<http::response_serializer<http::buffer_body>> serializer_;
};

}  // namespace

void serve_connection(tcp::socket socket, std::shared_ptr<Mirror::State> state) {
  std::make_shared<Connection>(std::move(socket), std::move(state))->read_next();
}

}  // namespace swarmcopy::registry
