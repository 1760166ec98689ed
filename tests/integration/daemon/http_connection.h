// HttpConnection: a deliberately small HTTP/1.1 client over a UNIX socket for the daemon's
// tests, so they can send exactly the bytes they want (garbage, half requests, huge bodies)
// and read exactly what the daemon answered. Optionally connects as another user: a forked
// child takes the user's uid/gid, connects (SO_PEERCRED is fixed at connect time) and hands the
// descriptor back over SCM_RIGHTS. Every wait is bounded. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace swarmcopy::test {

using namespace std::chrono_literals;

// Who connects: the test's own credentials when absent.
struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  // The body as JSON (null when it is not JSON).
  nlohmann::json json() const;
  // The "kind" of an {"error": ...} body, or "" when there is none.
  std::string error_kind() const;
  std::string header(const std::string& lower_name) const;
};

class HttpConnection {
 public:
  static std::expected<HttpConnection, std::string> open(const std::filesystem::path& socket,
                                                         std::optional<Identity> as = {});
  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&& other) noexcept;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection();

  int fd() const { return fd_; }
  // Writes all of `bytes`; false when the peer closed or the deadline passed.
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = 10s);
  void shutdown_write();

  // One request with a Content-Length body (none when empty and the method is GET).
  std::expected<HttpResponse, std::string> request(std::string_view method, std::string_view target,
                                                   std::string_view body = {},
                                                   std::chrono::milliseconds timeout = 10s);
  // Reads one whole response (Content-Length or chunked). "closed" when the connection ends
  // before its first byte.
  std::expected<HttpResponse, std::string> read_response(std::chrono::milliseconds timeout = 10s);
  // Reads a response's status line and headers only (event streams).
  std::expected<HttpResponse, std::string> read_head(std::chrono::milliseconds timeout = 10s);
  // After read_head of a chunked stream: the next line, without its '\n'.
  std::expected<std::string, std::string> read_line(std::chrono::milliseconds timeout = 10s);
  // True when the peer closes (EOF or reset) within `timeout`; what it sent meanwhile is kept.
  bool wait_closed(std::chrono::milliseconds timeout);
  // Everything the peer sends until it closes or `timeout` passes.
  std::string read_until_closed(std::chrono::milliseconds timeout);

 private:
  explicit HttpConnection(int fd) : fd_(fd) {}
  // Appends what arrives to buffer_; false on EOF, error or deadline.
  bool fill(std::chrono::steady_clock::time_point deadline);
  std::expected<std::string, std::string> read_chunk(
      std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;   // received, not yet consumed
  std::string decoded_;  // de-chunked stream data not yet returned by read_line
  bool eof_ = false;
};

// One request on a fresh connection.
std::expected<HttpResponse, std::string> http_request(const std::filesystem::path& socket,
                                                      std::string_view method,
                                                      std::string_view target,
                                                      std::string_view body = {},
                                                      std::optional<Identity> as = {});

}  // namespace swarmcopy::test
