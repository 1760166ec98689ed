#include "transfer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <string_view>
#include <utility>

#include "failure_classifier.h"
#include "local_address.h"
#include "retry_after.h"

namespace swarmcopy::engine::origin {
namespace {

using api::ErrorContext;
using api::ErrorKind;

// "gzip" is refused, "identity" (or nothing) accepted; a list must be identity throughout.
bool is_identity_encoding(std::string_view encodings) {
  while (!encodings.empty()) {
    const auto comma = encodings.find(',');
    std::string_view token = encodings.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty()) {
      constexpr std::string_view kIdentity = "identity";
      if (token.size() != kIdentity.size()) return false;
      for (std::size_t i = 0; i < token.size(); ++i) {
        if ((token[i] | 0x20) != kIdentity[i]) return false;
      }
    }
    if (comma == std::string_view::npos) break;
    encodings.remove_prefix(comma + 1);
  }
  return true;
}

std::string describe_size(const std::optional<std::uint64_t>& size) {
  return size ? std::to_string(*size) : std::string("unknown");
}

}  // namespace

bool Transfer::header_block_broke_off(CURLcode code) const {
  const bool header_limit_code = code == CURLE_OUT_OF_MEMORY
#if LIBCURL_VERSION_NUM >= 0x080600
                                 || code == CURLE_TOO_LARGE
#endif
      ;
  return header_limit_code && response_.status() != 0 && !response_.complete();
}

Transfer::Transfer(HttpClient::RequestId id, Kind kind, RangeRequest request,
                   HttpClient::OnData on_data)
    : id_(id), kind_(kind), request_(std::move(request)), on_data_(std::move(on_data)) {
  next_offset_ = kind_ == Kind::kRange ? request_.begin : 0;
}

FetchError Transfer::failure(ErrorContext context, ErrorKind kind, bool transient,
                             std::string message, int code) const {
  return make_failure(context, kind, transient, std::move(message), request_.url, code);
}

std::expected<void, FetchError> Transfer::configure(const HttpClient::Options& options) {
  easy_.reset(curl_easy_init());
  if (!easy_) {
    return std::unexpected(failure(ErrorContext::kGeneralTransport, ErrorKind::kTransport, false,
                                   "curl_easy_init failed", CURLE_FAILED_INIT));
  }

  // Sent explicitly, and CURLOPT_ACCEPT_ENCODING left unset: curl then never decodes, so an
  // encoded body cannot slip through as if it were the file's bytes.
  std::vector<std::string> lines{"Accept-Encoding: identity"};
  if (kind_ == Kind::kProbe) {
    lines.emplace_back("Range: bytes=0-0");
  } else if (kind_ == Kind::kRange) {
    lines.push_back("Range: bytes=" + std::to_string(request_.begin) + "-" +
                    std::to_string(request_.end - 1));
  }
  lines.insert(lines.end(), request_.options.headers.begin(), request_.options.headers.end());
  for (const std::string& line : lines) {
    curl_slist* const appended = curl_slist_append(headers_.get(), line.c_str());
    if (!appended) {
      return std::unexpected(failure(ErrorContext::kGeneralTransport, ErrorKind::kTransport, false,
                                     "out of memory building request headers",
                                     CURLE_OUT_OF_MEMORY));
    }
    if (!headers_) headers_.reset(appended);  // the first append makes the list
  }

  CURL* const easy = easy_.get();
  // The id, not a pointer: a completion for a handle we no longer know is then harmless.
  void* const private_id = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id_));
  const auto max_speed = static_cast<curl_off_t>(std::min<std::uint64_t>(
      request_.options.max_bytes_per_second, std::numeric_limits<curl_off_t>::max()));
  // Under a rate limit curl 7.88 reads as long as the socket is readable (up to 100 buffers),
  // then pauses until the average is back down. A buffer of a thousandth of a second's worth
  // keeps each burst near 0.1 s of the rate (curl's minimum buffer is 1 KiB).
  std::size_t buffer_bytes = options.receive_buffer_bytes;
  if (request_.options.max_bytes_per_second > 0) {
    buffer_bytes = static_cast<std::size_t>(std::clamp<std::uint64_t>(
        request_.options.max_bytes_per_second / 1000, 1024, buffer_bytes));
  }
  // Under a shared budget each buffer is charged whole: keep one buffer near a hundredth of a
  // second of the cap, so that the budget's debt (and the pause it causes) stays short.
  if (const auto share = request_.options.budget ? request_.options.budget->share() : 0;
      share > 0) {
    buffer_bytes =
        static_cast<std::size_t>(std::clamp<std::uint64_t>(share / 100, 16 * 1024, buffer_bytes));
  }
  // Evaluated in order; the literal option names keep curl's compile-time type checks.
  const std::array results{
      curl_easy_setopt(easy, CURLOPT_URL, request_.url.c_str()),
      curl_easy_setopt(easy, CURLOPT_PRIVATE, private_id),
      curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_.data()),
      curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L),
      curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"),
      curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
      curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L),
      curl_easy_setopt(easy, CURLOPT_MAXREDIRS, options.max_redirects),
      curl_easy_setopt(
          easy, CURLOPT_CONNECTTIMEOUT_MS,
          static_cast<long>(std::chrono::milliseconds(options.connect_timeout).count())),
      // Less than 1 byte/s for stall_timeout: curl ends with CURLE_OPERATION_TIMEDOUT.
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L),
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>(options.stall_timeout.count())),
      curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str()),
      curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_.get()),
      curl_easy_setopt(easy, CURLOPT_HTTP_CONTENT_DECODING, 0L),
      curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L),
      curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, static_cast<long>(buffer_bytes)),
      curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE, max_speed),
      curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L),
      curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 60L),
      curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 30L),
      curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::header_callback),
      curl_easy_setopt(easy, CURLOPT_HEADERDATA, this),
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::write_callback),
      curl_easy_setopt(easy, CURLOPT_WRITEDATA, this),
  };
  for (const CURLcode code : results) {
    if (code != CURLE_OK) return std::unexpected(transport_failure(code, {}, request_.url));
  }
  // The job's proxy, when it chose one: an explicit CURLOPT_PROXY / CURLOPT_NOPROXY wins over
  // the environment's variables ("" for the proxy means none at all).
  if (request_.options.proxy) {
    if (const CURLcode code =
            curl_easy_setopt(easy, CURLOPT_PROXY, request_.options.proxy->c_str());
        code != CURLE_OK) {
      return std::unexpected(transport_failure(code, {}, request_.url));
    }
  }
  if (request_.options.no_proxy) {
    if (const CURLcode code =
            curl_easy_setopt(easy, CURLOPT_NOPROXY, request_.options.no_proxy->c_str());
        code != CURLE_OK) {
      return std::unexpected(transport_failure(code, {}, request_.url));
    }
  }
  if (options.extra_ca) {
    // The site's CAs join the store libcurl has loaded (the system's) on every TLS connection.
    for (const CURLcode code :
         {curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &Transfer::ssl_context_callback),
          curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA,
                           const_cast<util::ExtraCa*>(options.extra_ca.get()))}) {
      if (code != CURLE_OK) return std::unexpected(transport_failure(code, {}, request_.url));
    }
  }
  if (!request_.options.allow_local_origin) {
    // Called once a connection (new or reused) is ready, before each request is sent: covers
    // every address a name resolves to, redirects, and connections another request opened.
    for (const CURLcode code :
         {curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &Transfer::prereq_callback),
          curl_easy_setopt(easy, CURLOPT_PREREQDATA, this)}) {
      if (code != CURLE_OK) return std::unexpected(transport_failure(code, {}, request_.url));
    }
  }
  return {};
}

CURLcode Transfer::ssl_context_callback(CURL*, void* ssl_context, void* extra_ca) {
  const auto* trusted = static_cast<const util::ExtraCa*>(extra_ca);
  return trusted->add_to(static_cast<ssl_ctx_st*>(ssl_context)) ? CURLE_OK
                                                                : CURLE_SSL_CACERT_BADFILE;
}

int Transfer::prereq_callback(void* self, char* primary_ip, char*, int, int) {
  auto* transfer = static_cast<Transfer*>(self);
  if (!is_local_address(primary_ip)) return CURL_PREREQFUNC_OK;
  // Through a proxy the address is the proxy's: a local proxy could reach local services too.
  const auto& proxy = transfer->request_.options.proxy;
  const char* what = proxy && !proxy->empty() ? "the origin or its proxy" : "the origin";
  transfer->failure_ = transfer->failure(
      ErrorContext::kGeneralTransport, ErrorKind::kInvalidArgument, false,
      std::string(what) + " is this machine (" + primary_ip +
          "): the daemon fetches from local addresses only for root and its own user "
          "(allow_loopback_origins)");
  return CURL_PREREQFUNC_ABORT;
}

std::size_t Transfer::header_callback(char* data, std::size_t size, std::size_t count, void* self) {
  return static_cast<Transfer*>(self)->on_header(std::string_view(data, size * count));
}

std::size_t Transfer::write_callback(char* data, std::size_t size, std::size_t count, void* self) {
  return static_cast<Transfer*>(self)->on_body(data, size * count);
}

std::size_t Transfer::on_header(std::string_view line) {
  if (cancelled_) return 0;  // any other count than the line's aborts the transfer
  last_progress_ = std::chrono::steady_clock::now();
  // Once the body flows, later "headers" are chunked trailers: never let them rewrite the
  // identity that was checked.
  if (!accepted_) response_.feed(line);
  return line.size();
}

std::size_t Transfer::on_body(const char* data, std::size_t length) {
  if (cancelled_) return CURL_WRITEFUNC_ERROR;
  last_progress_ = std::chrono::steady_clock::now();  // one clock read per buffer, not per byte
  if (!accepted_) {
    auto accepted = accept_response();
    if (!accepted) {
      failure_ = std::move(accepted.error());  // an error page's body is never handed on
      return CURL_WRITEFUNC_ERROR;
    }
    identity_ = std::move(*accepted);
    accepted_ = true;
    if (kind_ == Kind::kProbe && !identity_->accepts_ranges) {
      probe_stopped_body_ = true;  // 200 to "bytes=0-0": the whole file follows; don't read it
      return CURL_WRITEFUNC_ERROR;
    }
  }
  if (kind_ == Kind::kProbe) return length;  // the one byte of the 206: not needed

  if (const auto& budget = request_.options.budget) {
    const auto now = last_progress_;
    if (const auto wait = budget->wait(now); wait > std::chrono::steady_clock::duration::zero()) {
      paused_for_ = wait;  // HttpClient resumes the handle after the wait
      return CURL_WRITEFUNC_PAUSE;
    }
    budget->take(length, now);
  }

  const std::uint64_t end =
      kind_ == Kind::kRange ? request_.end : std::numeric_limits<std::uint64_t>::max();
  const std::size_t deliver =
      static_cast<std::size_t>(std::min<std::uint64_t>(length, end - next_offset_));
  if (deliver > 0) {
    // curl's own buffer, handed on as is: no copy here.
    auto handled = on_data_(next_offset_, std::span<const char>(data, deliver));
    if (cancelled_) return CURL_WRITEFUNC_ERROR;  // cancel() from inside on_data
    if (!handled) {
      failure_ = FetchError{std::move(handled.error()), false, std::chrono::seconds{0}};
      return CURL_WRITEFUNC_ERROR;
    }
    next_offset_ += deliver;
  }
  if (deliver < length) {
    failure_ =
        failure(ErrorContext::kRemoteApplication, ErrorKind::kRangeNotSupported, false,
                "the origin sent more than the requested range [" + std::to_string(request_.begin) +
                    ", " + std::to_string(request_.end) + ")");
    return CURL_WRITEFUNC_ERROR;
  }
  return length;
}

std::expected<RemoteIdentity, FetchError> Transfer::accept_response() const {
  const int status = response_.status();
  const auto& range = response_.content_range();

  if (status < 200 || status >= 300) {
    // "bytes=0-0" of an empty file: 416 with "bytes */0" is the honest answer.
    if (kind_ == Kind::kProbe && status == 416 && range && !range->first && range->total == 0) {
      return RemoteIdentity{0, response_.etag(), response_.last_modified(), true,
                            response_.sha256()};
    }
    return std::unexpected(http_status_failure(
        status, response_.reason(),
        parse_retry_after(response_.retry_after(), std::chrono::system_clock::now()),
        request_.url));
  }
  if (!is_identity_encoding(response_.content_encoding())) {
    return std::unexpected(failure(
        ErrorContext::kRemoteApplication, ErrorKind::kBadContentEncoding, false,
        "the origin sent an encoded body (Content-Encoding: " + response_.content_encoding() +
            ") although identity was asked for"));
  }

  const auto unexpected_status = [&](std::string_view wanted) {
    return std::unexpected(failure(
        ErrorContext::kRemoteApplication, ErrorKind::kHttpStatus, false,
        "unexpected HTTP " + std::to_string(status) + " (wanted " + std::string(wanted) + ")",
        status));
  };
  const auto bad_range = [&](std::string_view asked) {
    return std::unexpected(
        failure(ErrorContext::kRemoteApplication, ErrorKind::kRangeNotSupported, false,
                "the origin answered Content-Range '" + response_.content_range_raw() +
                    "' to a request for bytes " + std::string(asked)));
  };

  RemoteIdentity seen{std::nullopt, response_.etag(), response_.last_modified(), false,
                      response_.sha256()};
  switch (kind_) {
    case Kind::kProbe:
      if (status == 206) {
        if (!range || range->first != 0) return bad_range("0-0");
        seen.size = range->total;
        seen.accepts_ranges = true;
      } else if (status == 200) {
        seen.size = response_.content_length();
      } else {
        return unexpected_status("200 or 206");
      }
      break;
    case Kind::kRange: {
      if (status == 200) {
        return std::unexpected(failure(ErrorContext::kRemoteApplication,
                                       ErrorKind::kRangeNotSupported, false,
                                       "the origin ignored the Range request (HTTP 200, not 206)"));
      }
      if (status != 206) return unexpected_status("206");
      const std::string asked =
          std::to_string(request_.begin) + "-" + std::to_string(request_.end - 1);
      if (!range || range->first != request_.begin) return bad_range(asked);
      seen.size = range->total;
      seen.accepts_ranges = true;
      break;
    }
    case Kind::kWholeBody:
      if (status != 200) return unexpected_status("200");
      seen.size = response_.content_length();
      break;
  }
  if (auto changed = identity_mismatch(seen)) return std::unexpected(std::move(*changed));
  return seen;
}

std::optional<FetchError> Transfer::identity_mismatch(const RemoteIdentity& seen) const {
  const RemoteIdentity& expected = request_.expected;
  std::string changes;
  const auto note = [&changes](std::string_view what, const std::string& was,
                               const std::string& is) {
    if (!changes.empty()) changes += ", ";
    changes += std::string(what) + " " + was + " -> " + is;
  };
  if (expected.size && seen.size && *expected.size != *seen.size) {
    note("size", describe_size(expected.size), describe_size(seen.size));
  }
  if (!expected.etag.empty() && !seen.etag.empty() && expected.etag != seen.etag) {
    note("ETag", expected.etag, seen.etag);
  }
  if (!expected.last_modified.empty() && !seen.last_modified.empty() &&
      expected.last_modified != seen.last_modified) {
    note("Last-Modified", expected.last_modified, seen.last_modified);
  }
  if (expected.sha256 && seen.sha256 && *expected.sha256 != *seen.sha256) {
    note("SHA-256 (Repr-Digest)", *expected.sha256, *seen.sha256);
  }
  if (changes.empty()) return std::nullopt;
  return failure(ErrorContext::kRemoteFile, ErrorKind::kContentChanged, false,
                 "the file changed at the origin: " + changes);
}

bool Transfer::stalled(std::chrono::steady_clock::time_point now,
                       std::chrono::seconds timeout) const {
  return request_.options.max_bytes_per_second == 0 && !paused_for_ &&
         now - last_progress_ >= timeout;
}

FetchError Transfer::stall_failure(std::chrono::seconds timeout) const {
  return failure(ErrorContext::kGeneralTransport, ErrorKind::kTransport, true,
                 std::string(curl_easy_strerror(CURLE_OPERATION_TIMEDOUT)) +
                     ": nothing received from the origin for " + std::to_string(timeout.count()) +
                     " s (stalled)",
                 CURLE_OPERATION_TIMEDOUT);
}

std::expected<RemoteIdentity, FetchError> Transfer::outcome(CURLcode code) {
  // Our own reasons to stop come first: curl only saw a write error.
  if (failure_) return std::unexpected(*failure_);
  if (probe_stopped_body_) return *identity_;
  if (code != CURLE_OK) {
    // A failing status whose body then broke off: the status is the news, not the break.
    if (!accepted_ && response_.complete() && response_.status() >= 400) {
      if (auto accepted = accept_response(); !accepted) return accepted;
    }
    if (header_block_broke_off(code)) {
      // curl refuses a header line over 100 KiB but, in 7.88, says only "Out of memory".
      return std::unexpected(
          failure(ErrorContext::kRemoteApplication, ErrorKind::kTransport, false,
                  std::string(curl_easy_strerror(code)) +
                      ": the origin's response headers are too large (a header line over libcurl's "
                      "100 KiB limit?) after \"HTTP " +
                      std::to_string(response_.status()) + "\"",
                  code));
    }
    return std::unexpected(transport_failure(code, error_buffer_.data(), request_.url));
  }
  if (!accepted_) {
    auto accepted = accept_response();  // no body at all: checked only now
    if (!accepted) return accepted;
    identity_ = std::move(*accepted);
    accepted_ = true;
  }
  const std::uint64_t wanted = kind_ == Kind::kRange       ? request_.end
                               : kind_ == Kind::kWholeBody ? identity_->size.value_or(0)
                                                           : 0;
  if (next_offset_ < wanted) {
    return std::unexpected(failure(ErrorContext::kGeneralTransport, ErrorKind::kTransport, true,
                                   "the body ended at byte " + std::to_string(next_offset_) +
                                       " before the end of the range at " + std::to_string(wanted),
                                   CURLE_PARTIAL_FILE));
  }
  return *identity_;
}

}  // namespace swarmcopy::engine::origin
