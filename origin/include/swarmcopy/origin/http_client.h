// HttpClient: HTTP(S) range fetches from an origin with libcurl's multi interface, driven by
// the engine's boost::asio::io_context (curl's sockets and timer are watched by asio; no extra
// thread). Every callback runs on the io_context's thread; the client is not thread-safe and
// must be used from that thread only. Inside any callback the caller may probe, fetch and
// cancel (any request, its own included); it may destroy the client inside ProbeDone / OnDone,
// but not inside OnData (curl is still running that transfer on the stack).
//
// What it guarantees:
// - `Accept-Encoding: identity`; a body that arrives encoded anyway is a permanent error.
// - Redirects followed (bounded by Options::max_redirects); a loop is a permanent error.
// - Every response's identity (size from Content-Range / Content-Length, ETag,
//   Last-Modified) is compared with the expected one before a byte is handed on: a change is
//   a permanent kContentChanged error.
// - Only bytes inside the requested range reach on_data, in order, with their file offset.
// - Failures are classified: transient (connection refused/reset, timeout, stall, HTTP 5xx,
//   408, 429, a short body) or permanent (other 4xx, bad URL, TLS verification, redirect loop,
//   content changed, ignored Range on a ranged request, bad encoding).
// - https uses the system CA store. The proxy is RequestOptions::proxy / no_proxy; where they
//   are unset, libcurl's own environment handling (http_proxy / https_proxy / no_proxy).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/util/byte_budget.h"
#include "swarmcopy/util/extra_ca.h"

namespace swarmcopy::engine::origin {

// What the origin says the file is.
struct RemoteIdentity {
  std::optional<std::uint64_t> size;  // nullopt when the origin did not say
  std::string etag;                   // empty when absent
  std::string last_modified;          // empty when absent
  bool accepts_ranges = false;        // the origin answered a Range request with 206
  // The whole file's SHA-256 (64 lowercase hex digits) as the origin states it: RFC 9530's
  // Repr-Digest, else the legacy Digest header. nullopt when absent or unreadable. A claim of the
  // origin's, checked like any other identity: a change mid-transfer is a content change.
  std::optional<std::string> sha256;
  bool operator==(const RemoteIdentity&) const = default;
};

struct FetchError {
  api::Error error;  // context, kind, code (HTTP status / CURLcode / errno), message, url
  bool transient = false;
  // The origin's Retry-After (seconds form or HTTP date), zero when absent.
  std::chrono::seconds retry_after{0};
};

struct RequestOptions {
  std::vector<std::string> headers;        // extra "Name: value" lines
  std::uint64_t max_bytes_per_second = 0;  // 0 = unlimited (CURLOPT_MAX_RECV_SPEED_LARGE)
  // False: a connection to this machine (loopback, or one of its own addresses: see
  // is_local_address) is refused before the request is sent, also after a redirect and on a
  // reused connection; the request fails with kInvalidArgument, not transient.
  bool allow_local_origin = true;
  // CURLOPT_PROXY: nullopt leaves it to the environment; "" connects directly (environment
  // ignored); else the proxy's URL. With a proxy, the local-origin check above applies to the
  // address connected to: the proxy's.
  std::optional<std::string> proxy;
  // CURLOPT_NOPROXY: hosts reached directly, comma-separated ("*": all); nullopt leaves it to
  // the environment's no_proxy, "" makes every host use the proxy whatever the environment.
  std::optional<std::string> no_proxy;
  // The download rate this request shares with others (the engine's caps): every body byte is
  // charged to it, and while it is in debt the request is paused (curl stops reading the
  // socket, so TCP slows the sender). Null: none.
  std::shared_ptr<util::ByteBudget> budget;
};

struct RangeRequest {
  std::string url;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // exclusive; ignored when whole_body
  // No Range header: fetch the whole body from offset 0 (for origins that ignore Range).
  bool whole_body = false;
  RemoteIdentity expected;  // compared with the response (empty fields are not compared)
  RequestOptions options;
};

// http / https by the URL's scheme, kNone for anything else (the protocol of an Error).
api::Protocol protocol_of(std::string_view url);

// The class of a failed request, for counting (a metric's label): "http_4xx", "http_5xx",
// "http_other" (an HTTP status the origin answered with), "transport" (connect, DNS, TLS,
// reset, timeout, stall), "content" (changed identity, ignored Range, encoded body), "refused"
// (refused before it was sent: a local origin not allowed, a bad URL or range), "local" (the
// caller's own write failed: disk full, I/O), "other" (anything else: a bug).
std::string_view failure_class(const FetchError& failure);

// What the client's requests came to, counted as each one ends (a cancelled one is not).
struct RequestTally {
  std::uint64_t ended = 0;                      // succeeded or failed
  std::map<std::string, std::uint64_t> failed;  // by failure_class
  bool operator==(const RequestTally&) const = default;
};

class HttpClient {
 public:
  struct Options {
    long max_redirects = 10;
    std::chrono::seconds connect_timeout{30};
    // Below 1 byte/s for this long: the transfer is stalled (transient error).
    std::chrono::seconds stall_timeout{30};
    std::size_t receive_buffer_bytes = 512 * 1024;
    std::string user_agent = "swarmcopy/0.1";
    // Certificate authorities trusted for https beside the system's (swarmcopyd.conf
    // tls_ca_file); null: the system's alone.
    std::shared_ptr<const util::ExtraCa> extra_ca;
  };

  using RequestId = std::uint64_t;
  using ProbeDone = std::function<void(std::expected<RemoteIdentity, FetchError>)>;
  // Receives consecutive bytes of the body at their file offset. Returning an error aborts
  // the request; on_done then receives that error (as a permanent FetchError unless the
  // caller's error says otherwise via kind == kDiskFull, which stays permanent too).
  using OnData =
      std::function<api::Result<void>(std::uint64_t offset, std::span<const char> bytes)>;
  using OnDone = std::function<void(std::expected<void, FetchError>)>;

  HttpClient(boost::asio::io_context& io, Options options);
  ~HttpClient();  // aborts every request without calling its callbacks
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Learns the identity: GET with "Range: bytes=0-0" (206 → accepts_ranges, size from
  // Content-Range; 200 → no ranges, size from Content-Length, body discarded unread).
  RequestId probe(const std::string& url, const RequestOptions& options, ProbeDone done);

  // Fetches [begin, end) (or the whole body). A 200 answer to a ranged request is a permanent
  // kRangeNotSupported error (the caller falls back to whole_body). A body that ends before
  // the range does is a transient error; the bytes delivered until then stay valid.
  RequestId fetch(const RangeRequest& request, OnData on_data, OnDone done);

  // Aborts a request; none of its callbacks runs afterwards. Unknown ids are ignored.
  void cancel(RequestId id);

  // Requests in flight (for tests and status).
  std::size_t active_requests() const;
  // Every request since the client was made.
  const RequestTally& tally() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcopy::engine::origin
