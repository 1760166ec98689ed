#include "swarmcopy/apt/http_fetcher.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace swarmcopy::apt {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

// The statuses apt's http method treats as worth a retry.
bool transient_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504 || status == 599;
}

bool transient_curl(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string_view default_reason(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// What one transfer collects from curl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  const AcquireRequest* request = nullptr;
  const HttpFetcher::OnStart* on_start = nullptr;
  std::string reason;  // the last status line's reason phrase
  int fd = -1;
  bool started = false;
  bool too_big = false;
  int write_errno = 0;
  std::uint64_t written = 0;
  HashSet hashes;

  ~Transfer() {
    if (fd >= 0) ::close(fd);
  }

  long status() const {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
  std::optional<std::time_t> last_modified() const {
    curl_off_t t = -1;
    if (curl_easy_getinfo(curl, CURLINFO_FILETIME_T, &t) != CURLE_OK || t < 0) return std::nullopt;
    return static_cast<std::time_t>(t);
  }
  // Opens apt's file (truncated: the method does not resume a partial file) and says 200.
  bool start() {
    if (started) return true;
    started = true;
    fd = ::open(request->filename.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      write_errno = errno;
      return false;
    }
    curl_off_t length = -1;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    std::optional<std::uint64_t> size;
    if (length >= 0) size = static_cast<std::uint64_t>(length);
    if (size && request->maximum_size > 0 && *size > request->maximum_size) {
      too_big = true;
      return false;
    }
    (*on_start)(size, last_modified());
    return true;
  }
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // "HTTP/1.1 404 Not Found\r\n": keep " Not Found" as apt does (its message reads
    // "404  Not Found").
    const auto sp = line.find(' ');
    t->reason.clear();
    if (sp != std::string_view::npos && line.size() > sp + 4) {
      auto rest = line.substr(sp + 4);
      while (!rest.empty() && (rest.back() == '\r' || rest.back() == '\n')) rest.remove_suffix(1);
      t->reason = std::string(rest);
    }
  }
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const long status = t->status();
  if (status < 200 || status >= 300) return bytes;  // an error page: dropped, as apt does
  if (!t->start()) return 0;
  if (t->request->maximum_size > 0 && t->written + bytes > t->request->maximum_size) {
    t->too_big = true;
    return 0;
  }
  std::size_t done = 0;
  while (done < bytes) {
    const auto n = ::write(t->fd, data + done, bytes - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      t->write_errno = errno;
      return 0;
    }
    done += static_cast<std::size_t>(n);
  }
  t->hashes.update(std::string_view(data, bytes));
  t->written += bytes;
  return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return *static_cast<const volatile std::sig_atomic_t*>(user) != 0 ? 1 : 0;
}

}  // namespace

struct HttpFetcher::Handle {
  std::unique_ptr<CURL, CurlDeleter> curl{curl_easy_init()};
};

HttpFetcher::HttpFetcher(const MethodConfig& config)
    : config_(config), handle_(std::make_unique<Handle>()) {}

HttpFetcher::~HttpFetcher() = default;

std::expected<FetchResult, FetchFailure> HttpFetcher::fetch(const AcquireRequest& request,
                                                            const volatile std::sig_atomic_t* stop,
                                                            const OnStart& on_start) {
  CURL* curl = handle_->curl.get();
  if (curl == nullptr) return std::unexpected(FetchFailure{"cannot initialise libcurl", "", false});
  curl_easy_reset(curl);
  Transfer t;
  t.curl = curl;
  t.request = &request;
  t.on_start = &on_start;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const long timeout = static_cast<long>(config_.http_timeout.count());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // As apt: a redirect may not downgrade https to http.
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR,
                   request.url.starts_with("https://") ? "https" : "http,https");
  if (!config_.ca_info.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_info.c_str());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, config_.verify_peer ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, config_.verify_host ? 2L : 0L);
  if (auto proxy = proxy_for(config_, request.url, request.proxy)) {
    curl_easy_setopt(curl, CURLOPT_PROXY, proxy->c_str());  // "" = DIRECT
  }
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, timeout);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, config_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_FILETIME, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  if (stop != nullptr) {
    // Called at least once a second; non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, stop);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  }
  if (request.last_modified) {
    curl_easy_setopt(curl, CURLOPT_TIMECONDITION, static_cast<long>(CURL_TIMECOND_IFMODSINCE));
    curl_easy_setopt(curl, CURLOPT_TIMEVALUE_LARGE,
                     static_cast<curl_off_t>(*request.last_modified));
  }
  const CURLcode code = curl_easy_perform(curl);
  const long status = t.status();
  const auto fail = [&](std::string message, std::string reason, bool transient) {
    if (t.fd >= 0) {
      ::close(t.fd);
      t.fd = -1;
    }
    char* ip = nullptr;
    long port = 0;
    curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(curl, CURLINFO_PRIMARY_PORT, &port);
    if (ip != nullptr && *ip != '\0') {
      message += " [IP: " + std::string(ip) + " " + std::to_string(port) + "]";
    }
    return std::unexpected(FetchFailure{std::move(message), std::move(reason), transient});
  };
  if (t.too_big) {
    std::error_code ec;
    std::filesystem::remove(request.filename, ec);
    return fail("File is larger than expected (more than " + std::to_string(request.maximum_size) +
                    " bytes). Mirror sync in progress?",
                "MaximumSizeExceeded", false);
  }
  if (t.write_errno != 0) {
    return fail("Failed to write " + request.filename + ": " + std::strerror(t.write_errno), "",
                false);
  }
  if (code != CURLE_OK) {
    std::string message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return fail(message, "", transient_curl(code));
  }
  long unmet = 0;  // a 200 whose Last-Modified says "not modified": curl drops its body
  curl_easy_getinfo(curl, CURLINFO_CONDITION_UNMET, &unmet);
  if (status == 304 || (request.last_modified && unmet != 0)) {
    // apt's copy is current: the partial file goes, apt keeps its own.
    std::error_code ec;
    std::filesystem::remove(request.filename, ec);
    FetchResult result;
    result.ims_hit = true;
    result.last_modified = request.last_modified;
    return result;
  }
  if (status < 200 || status >= 300) {
    std::string reason = t.reason.empty() ? " " + std::string(default_reason(status)) : t.reason;
    return fail(std::to_string(status) + " " + reason, "HttpError" + std::to_string(status),
                transient_status(status));
  }
  if (!t.started && !t.start()) {  // an empty body
    if (t.too_big) return fail("File is larger than expected", "MaximumSizeExceeded", false);
    return fail("Failed to write " + request.filename + ": " + std::strerror(t.write_errno), "",
                false);
  }
  FetchResult result;
  result.last_modified = t.last_modified();
  if (result.last_modified) {
    const struct timespec times[2] = {{*result.last_modified, 0}, {*result.last_modified, 0}};
    ::futimens(t.fd, times);
  }
  ::close(t.fd);
  t.fd = -1;
  result.hashes = t.hashes.finish();
  return result;
}

}  // namespace swarmcopy::apt
