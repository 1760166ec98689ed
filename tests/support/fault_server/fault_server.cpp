#include "fault_server/fault_server.h"

// Before any Boost header: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <utility>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>

namespace swarmcopy::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr std::string_view kDefaultLastModified = "Wed, 21 Oct 2015 07:28:00 GMT";

// gzip of a line of text: real gzip bytes, so a client that decoded them would get text.
constexpr std::array<unsigned char, 77> kGzipBody{
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x0d, 0xc5, 0x41, 0x0e, 0x40, 0x50,
    0x0c, 0x04, 0xd0, 0xbd, 0x53, 0xcc, 0x01, 0x38, 0x14, 0xed, 0xd0, 0x86, 0xb4, 0xf2, 0x7f, 0x43,
    0x38, 0x3d, 0x6f, 0xf3, 0xca, 0xbc, 0x63, 0x49, 0x7d, 0xf0, 0xbf, 0xbd, 0x7e, 0x4e, 0x0c, 0x49,
    0xa5, 0x8e, 0xb8, 0xcd, 0xc5, 0x50, 0x46, 0xc8, 0xe1, 0x8c, 0x42, 0xf0, 0x62, 0xc3, 0xdc, 0x77,
    0x2a, 0xd6, 0x6c, 0xc3, 0x07, 0x0a, 0x72, 0x28, 0x5b, 0x3c, 0x00, 0x00, 0x00};

struct Content {
  std::string body;
  std::string etag;
  std::string last_modified;
};

// What to send for one request: the head, a view of the body, and how the connection ends.
struct Reply {
  enum class After { kKeepAlive, kClose, kReset, kStall };
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;       // the full body the headers describe
  std::size_t send_bytes = 0;  // how much of it is sent
  After after = After::kKeepAlive;
};

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

struct ByteSpan {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};

// "bytes=a-b", "bytes=a-", "bytes=-n". nullopt: no usable single range (serve 200).
// `unsatisfiable` is set for a well-formed range that starts past the end (416).
std::optional<ByteSpan> parse_range(std::string_view header, std::uint64_t size,
                                    bool& unsatisfiable) {
  unsatisfiable = false;
  if (!header.starts_with("bytes=")) return std::nullopt;
  header.remove_prefix(6);
  if (header.find(',') != std::string_view::npos) return std::nullopt;
  const auto dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view first_text = header.substr(0, dash);
  const std::string_view last_text = header.substr(dash + 1);
  if (first_text.empty()) {  // suffix: the last n bytes
    const auto suffix = parse_number(last_text);
    if (!suffix) return std::nullopt;
    if (*suffix == 0 || size == 0) {
      unsatisfiable = true;
      return std::nullopt;
    }
    return ByteSpan{size - std::min(*suffix, size), size - 1};
  }
  const auto first = parse_number(first_text);
  if (!first) return std::nullopt;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    const auto parsed = parse_number(last_text);
    if (!parsed || *parsed < *first) return std::nullopt;
    last = std::min(*parsed, last);
  }
  if (*first >= size) {
    unsatisfiable = true;
    return std::nullopt;
  }
  return ByteSpan{*first, last};
}

std::string reason_of(int status) {
  return std::string(http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status))));
}

}  // namespace

struct FaultServer::Impl {
  Impl() : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    content =
        std::make_shared<const Content>(Content{{}, "\"v0\"", std::string(kDefaultLastModified)});
    port = acceptor.local_endpoint().port();
    asio::co_spawn(io, accept_loop(), asio::detached);
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    asio::post(io, [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      // Wakes every coroutine (stalled ones wait in a read) with an error; they end, and with
      // them the io_context's work.
      for (tcp::socket* socket : open_sockets) socket->close(ignored);
    });
    thread.join();
  }

  asio::awaitable<void> accept_loop() {
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) continue;  // closed (the loop ends) or a transient accept failure
      std::uint64_t number = 0;
      {
        std::lock_guard lock(mutex);
        number = ++accepted;
      }
      asio::co_spawn(io, session(std::move(socket), number), asio::detached);
    }
  }

  // Registers the session's socket for shutdown while the session lives (io thread only).
  struct OpenSocket {
    OpenSocket(Impl& impl, tcp::socket& socket) : impl(impl), socket(&socket) {
      impl.open_sockets.insert(this->socket);
    }
    ~OpenSocket() { impl.open_sockets.erase(socket); }
    Impl& impl;
    tcp::socket* socket;
  };

  asio::awaitable<void> session(tcp::socket socket, std::uint64_t connection) {
    OpenSocket registered(*this, socket);
    boost::beast::flat_buffer buffer;
    for (;;) {
      boost::system::error_code ec;
      http::request<http::string_body> request;
      co_await http::async_read(socket, buffer, request,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;

      const std::string target(request.target());
      const std::string path = target.substr(0, target.find('?'));
      const std::string range(request[http::field::range]);
      std::shared_ptr<const Content> snapshot;
      Fault fault;
      {
        std::lock_guard lock(mutex);
        recorded.push_back(RecordedRequest{std::string(request.method_string()), target, path,
                                           range,
                                           std::string(request[http::field::accept_encoding]),
                                           std::string(request[http::field::user_agent]),
                                           connection, std::chrono::steady_clock::now()});
        // The answer keeps its bytes even if the content is replaced.
        const auto own = content_at.find(path);
        snapshot = own != content_at.end() ? own->second : content;
        fault = take_fault(path);
      }

      const Reply reply = plan(request.method() == http::verb::head, range, *snapshot, fault);
      std::string head =
          "HTTP/1.1 " + std::to_string(reply.status) + " " + reason_of(reply.status) + "\r\n";
      for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
      head += "\r\n";
      const std::array<asio::const_buffer, 2> buffers{
          asio::buffer(head), asio::buffer(reply.body.data(), reply.send_bytes)};
      co_await asio::async_write(socket, buffers, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;

      switch (reply.after) {
        case Reply::After::kKeepAlive:
          if (request.keep_alive()) continue;
          socket.shutdown(tcp::socket::shutdown_send, ec);
          co_return;
        case Reply::After::kClose:
          socket.shutdown(tcp::socket::shutdown_send, ec);
          socket.close(ec);
          co_return;
        case Reply::After::kReset:
          // Linger 0: close() sends RST instead of FIN.
          socket.set_option(asio::socket_base::linger(true, 0), ec);
          socket.close(ec);
          co_return;
        case Reply::After::kStall: {
          // Say nothing more; return when the client gives up or the server stops.
          std::array<char, 4096> sink;
          while (!ec) {
            co_await socket.async_read_some(asio::buffer(sink),
                                            asio::redirect_error(asio::use_awaitable, ec));
          }
          co_return;
        }
      }
    }
  }

  Fault take_fault(const std::string& path) {  // with `mutex` held
    if (auto it = queued.find(path); it != queued.end() && !it->second.empty()) {
      Fault fault = std::move(it->second.front());
      it->second.pop_front();
      return fault;
    }
    if (auto it = standing.find(path); it != standing.end()) return it->second;
    return Fault::none();
  }

  static Reply plan(bool head_only, const std::string& range_header, const Content& content,
                    const Fault& fault) {
    Reply reply;
    auto& headers = reply.headers;
    if (fault.kind == Fault::Kind::kStatus) {
      static const std::string kErrorBody = "fault server: scripted failure\n";
      reply.status = fault.code;
      headers.emplace_back("Content-Type", "text/plain");
      headers.emplace_back("Content-Length", std::to_string(kErrorBody.size()));
      if (!fault.retry_after.empty()) headers.emplace_back("Retry-After", fault.retry_after);
      reply.body = kErrorBody;
      reply.send_bytes = head_only ? 0 : kErrorBody.size();
      return reply;
    }
    if (fault.kind == Fault::Kind::kRedirect) {
      reply.status = fault.code;
      headers.emplace_back("Location", fault.location);
      headers.emplace_back("Content-Length", "0");
      return reply;
    }

    const std::uint64_t size = content.body.size();
    std::string_view body = content.body;
    bool unsatisfiable = false;
    std::optional<ByteSpan> span;
    if (!range_header.empty() && !fault.ignores_range()) {
      span = parse_range(range_header, size, unsatisfiable);
    }
    if (unsatisfiable) {
      reply.status = 416;
      headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
      headers.emplace_back("Content-Length", "0");
      return reply;
    }
    if (span) {
      if (fault.kind == Fault::Kind::kOverlongRange) {
        span->last = std::min<std::uint64_t>(span->last + fault.bytes, size - 1);
      }
      reply.status = 206;
      headers.emplace_back("Content-Range", "bytes " + std::to_string(span->first) + "-" +
                                                std::to_string(span->last) + "/" +
                                                std::to_string(size));
      body = body.substr(span->first, span->last - span->first + 1);
    }
    headers.emplace_back("Content-Type", "application/octet-stream");
    if (!fault.ignores_range()) headers.emplace_back("Accept-Ranges", "bytes");
    if (!content.etag.empty()) headers.emplace_back("ETag", content.etag);
    if (!content.last_modified.empty())
      headers.emplace_back("Last-Modified", content.last_modified);
    if (fault.kind == Fault::Kind::kGzip) {
      headers.emplace_back("Content-Encoding", "gzip");
      body = std::string_view(reinterpret_cast<const char*>(kGzipBody.data()), kGzipBody.size());
    }
    if (fault.kind == Fault::Kind::kHugeHeader) {
      headers.emplace_back("X-Junk", std::string(fault.bytes, 'j'));
    }
    headers.emplace_back("Content-Length", std::to_string(body.size()));
    reply.body = body;
    reply.send_bytes = head_only ? 0 : body.size();
    switch (fault.kind) {
      case Fault::Kind::kShortBody:
        reply.after = Reply::After::kClose;
        break;
      case Fault::Kind::kReset:
      case Fault::Kind::kIgnoreRangeReset:
        reply.after = Reply::After::kReset;
        break;
      case Fault::Kind::kStall:
        reply.after = Reply::After::kStall;
        break;
      default:
        return reply;
    }
    reply.send_bytes = std::min(reply.send_bytes, fault.bytes);
    return reply;
  }

  asio::io_context io;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::thread thread;
  std::unordered_set<tcp::socket*> open_sockets;  // io thread only

  mutable std::mutex mutex;  // guards everything below
  std::shared_ptr<const Content> content;
  std::map<std::string, std::shared_ptr<const Content>> content_at;  // by path, over `content`
  std::uint64_t version = 0;
  std::map<std::string, std::deque<Fault>> queued;
  std::map<std::string, Fault> standing;
  std::vector<RecordedRequest> recorded;
  std::uint64_t accepted = 0;
};

FaultServer::FaultServer() : impl_(std::make_unique<Impl>()) {}
FaultServer::~FaultServer() = default;

std::uint16_t FaultServer::port() const { return impl_->port; }

std::string FaultServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

void FaultServer::set_content(std::string body, std::string etag, std::string last_modified) {
  auto content = std::make_shared<const Content>(
      Content{std::move(body), std::move(etag), std::move(last_modified)});
  std::lock_guard lock(impl_->mutex);
  impl_->content = std::move(content);
}

void FaultServer::set_content(std::string body) {
  std::lock_guard lock(impl_->mutex);
  impl_->content = std::make_shared<const Content>(
      Content{std::move(body), "\"v" + std::to_string(++impl_->version) + "\"",
              impl_->content->last_modified});
}

void FaultServer::set_content_at(std::string path, std::string body) {
  std::lock_guard lock(impl_->mutex);
  impl_->content_at[std::move(path)] = std::make_shared<const Content>(
      Content{std::move(body), "\"p" + std::to_string(++impl_->version) + "\"",
              impl_->content->last_modified});
}

std::string FaultServer::etag() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->content->etag;
}

std::string FaultServer::last_modified() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->content->last_modified;
}

void FaultServer::push_fault(std::string path, Fault fault, int times) {
  std::lock_guard lock(impl_->mutex);
  auto& queue = impl_->queued[std::move(path)];
  for (int i = 0; i < times; ++i) queue.push_back(fault);
}

void FaultServer::set_fault(std::string path, Fault fault) {
  std::lock_guard lock(impl_->mutex);
  if (fault.kind == Fault::Kind::kNone) {
    impl_->standing.erase(path);
  } else {
    impl_->standing[std::move(path)] = std::move(fault);
  }
}

void FaultServer::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->queued.clear();
  impl_->standing.clear();
}

std::vector<RecordedRequest> FaultServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recorded;
}

std::vector<RecordedRequest> FaultServer::requests_for(std::string_view path) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<RecordedRequest> matching;
  for (const auto& request : impl_->recorded) {
    if (request.path == path) matching.push_back(request);
  }
  return matching;
}

void FaultServer::clear_requests() {
  std::lock_guard lock(impl_->mutex);
  impl_->recorded.clear();
}

std::uint64_t FaultServer::connections_accepted() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

}  // namespace swarmcopy::test
