#include "http_connection.h"

#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace swarmcopy::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

int remaining_ms(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

int connect_to(const std::filesystem::path& socket) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const auto text = socket.string();
  if (text.size() >= sizeof address.sun_path) {
    ::close(fd);
    errno = ENAMETOOLONG;
    return -1;
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

// Connects as another user: the kernel records the connecting process's credentials, so a
// child with that uid/gid connects and passes the descriptor back.
std::expected<int, std::string> connect_as(const std::filesystem::path& socket, Identity who) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return std::unexpected(std::string("socketpair: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pair[0]);
    ::close(pair[1]);
    return std::unexpected(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(pair[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) {
      ::_exit(2);
    }
    int fd = connect_to(socket);
    if (fd < 0) ::_exit(3);
    char byte = 'x';
    iovec io{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
    ::_exit(::sendmsg(pair[1], &message, 0) == 1 ? 0 : 4);
  }
  ::close(pair[1]);
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t got = ::recvmsg(pair[0], &message, MSG_CMSG_CLOEXEC);
  ::close(pair[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  if (got != 1 || header == nullptr || header->cmsg_type != SCM_RIGHTS) {
    return std::unexpected("connect as uid " + std::to_string(who.uid) + " failed (child status " +
                           std::to_string(WEXITSTATUS(status)) + ")");
  }
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
  return fd;
}

}  // namespace

nlohmann::json HttpResponse::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpResponse::error_kind() const {
  const auto value = json();
  if (!value.is_object() || !value.contains("error") || !value["error"].is_object()) return "";
  const auto& kind = value["error"]["kind"];
  return kind.is_string() ? kind.get<std::string>() : "";
}

std::string HttpResponse::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::expected<HttpConnection, std::string> HttpConnection::open(const std::filesystem::path& socket,
                                                                std::optional<Identity> as) {
  if (as) {
    auto fd = connect_as(socket, *as);
    if (!fd) return std::unexpected(fd.error());
    return HttpConnection(*fd);
  }
  const int fd = connect_to(socket);
  if (fd < 0) return std::unexpected("connect " + socket.string() + ": " + std::strerror(errno));
  return HttpConnection(fd);
}

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      decoded_(std::move(other.decoded_)),
      eof_(other.eof_) {}

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    decoded_ = std::move(other.decoded_);
    eof_ = other.eof_;
  }
  return *this;
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool HttpConnection::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (!bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

void HttpConnection::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

bool HttpConnection::fill(SteadyClock::time_point deadline) {
  if (eof_) return false;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char data[16384];
    const ssize_t got = ::recv(fd_, data, sizeof data, MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (got <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(data, static_cast<std::size_t>(got));
    return true;
  }
}

std::expected<HttpResponse, std::string> HttpConnection::read_head(
    std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::size_t end = 0;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) {
      if (buffer_.empty() && eof_) return std::unexpected("closed");
      return std::unexpected(eof_ ? "closed mid-header: " + buffer_
                                  : "timed out waiting for a header");
    }
  }
  const std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  HttpResponse response;
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12 ||
      !std::isdigit(static_cast<unsigned char>(status_line[9])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[10])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[11]))) {
    return std::unexpected("bad status line: " + status_line);
  }
  response.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const auto start = line_end + 2;
    line_end = head.find("\r\n", start);
    const auto line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
      return std::unexpected("bad header line: " + line);
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers[lower(line.substr(0, colon))] = value;
  }
  return response;
}

std::expected<std::string, std::string> HttpConnection::read_chunk(
    SteadyClock::time_point deadline) {
  std::size_t line_end = 0;
  while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::unexpected(eof_ ? "closed" : "timed out");
  }
  std::size_t size = 0;
  try {
    size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
  } catch (...) {
    return std::unexpected("bad chunk size: " + buffer_.substr(0, line_end));
  }
  while (buffer_.size() < line_end + 2 + size + 2) {
    if (!fill(deadline)) return std::unexpected(eof_ ? "closed mid-chunk" : "timed out");
  }
  std::string data = buffer_.substr(line_end + 2, size);
  if (buffer_.compare(line_end + 2 + size, 2, "\r\n") != 0) {
    return std::unexpected("chunk not followed by CRLF");
  }
  buffer_.erase(0, line_end + 2 + size + 2);
  if (size == 0) return std::unexpected("end of stream");
  return data;
}

std::expected<HttpResponse, std::string> HttpConnection::read_response(
    std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto response = read_head(timeout);
  if (!response) return response;
  if (lower(response->header("transfer-encoding")) == "chunked") {
    for (;;) {
      auto chunk = read_chunk(deadline);
      if (!chunk) {
        if (chunk.error() == "end of stream") break;
        return std::unexpected(chunk.error());
      }
      response->body += *chunk;
    }
    return response;
  }
  const auto length_text = response->header("content-length");
  if (length_text.empty()) return std::unexpected("answer without Content-Length");
  const std::size_t length = std::stoul(length_text);
  while (buffer_.size() < length) {
    if (!fill(deadline)) return std::unexpected("body cut short");
  }
  response->body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return response;
}

std::expected<std::string, std::string> HttpConnection::read_line(
    std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::size_t newline = 0;
  while ((newline = decoded_.find('\n')) == std::string::npos) {
    auto chunk = read_chunk(deadline);
    if (!chunk) return std::unexpected(chunk.error());
    decoded_ += *chunk;
  }
  std::string line = decoded_.substr(0, newline);
  decoded_.erase(0, newline + 1);
  return line;
}

std::expected<HttpResponse, std::string> HttpConnection::request(
    std::string_view method, std::string_view target, std::string_view body,
    std::chrono::milliseconds timeout) {
  std::string text =
      std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: swarmcopy\r\n";
  if (!body.empty() || method != "GET") {
    text +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  text += "\r\n";
  text += body;
  if (!send(text, timeout)) return std::unexpected("send failed");
  return read_response(timeout);
}

bool HttpConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (fill(deadline)) {
  }
  return eof_;
}

std::string HttpConnection::read_until_closed(std::chrono::milliseconds timeout) {
  wait_closed(timeout);
  return std::exchange(buffer_, {});
}

std::expected<HttpResponse, std::string> http_request(const std::filesystem::path& socket,
                                                      std::string_view method,
                                                      std::string_view target,
                                                      std::string_view body,
                                                      std::optional<Identity> as) {
  auto connection = HttpConnection::open(socket, as);
  if (!connection) return std::unexpected(connection.error());
  return connection->request(method, target, body);
}

}  // namespace swarmcopy::test
