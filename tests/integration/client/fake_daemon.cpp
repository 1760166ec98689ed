#include "fake_daemon.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace swarmcopy::test {
namespace {

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 500:
      return "Internal Server Error";
    default:
      return "Status";
  }
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::unique_ptr<FakeDaemon> FakeDaemon::start(const std::filesystem::path& socket,
                                              Handler handler) {
  std::unique_ptr<FakeDaemon> daemon(new FakeDaemon());
  daemon->socket_ = socket;
  daemon->handler_ = std::move(handler);
  std::error_code ignored;
  std::filesystem::remove(socket, ignored);
  daemon->listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  if (daemon->listen_fd_ < 0 ||
      ::bind(daemon->listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(daemon->listen_fd_, 64) != 0) {
    return nullptr;
  }
  daemon->stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  daemon->acceptor_ = std::thread([raw = daemon.get()] { raw->accept_loop(); });
  return daemon;
}

FakeDaemon::~FakeDaemon() {
  stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void FakeDaemon::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  changed_.notify_all();
  (void)::eventfd_write(stop_fd_, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  std::error_code ignored;
  std::filesystem::remove(socket_, ignored);
}

void FakeDaemon::accept_loop() {
  for (;;) {
    std::array<pollfd, 2> fds{{{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    ++accepted_;
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void FakeDaemon::forget(int fd) {
  std::lock_guard lock(mutex_);
  std::erase(open_fds_, fd);
  std::erase(event_fds_, fd);
  ::close(fd);
}

void FakeDaemon::serve(int fd) {
  std::string buffer;
  char chunk[4096];
  const auto read_more = [&] {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  for (;;) {
    std::size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more()) return forget(fd);
    }
    const std::string head = buffer.substr(0, header_end);
    buffer.erase(0, header_end + 4);
    FakeRequest request;
    const auto first_space = head.find(' ');
    const auto second_space = head.find(' ', first_space + 1);
    request.method = head.substr(0, first_space);
    request.target = head.substr(first_space + 1, second_space - first_space - 1);
    std::size_t length = 0;
    const std::string lowered = lower(head);
    if (const auto at = lowered.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::stoul(head.substr(at + 17));
    }
    while (buffer.size() < length) {
      if (!read_more()) return forget(fd);
    }
    request.body = buffer.substr(0, length);
    buffer.erase(0, length);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }

    if (request.method == "GET" && request.target.starts_with("/v1/events")) {
      const std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
          "Transfer-Encoding: chunked\r\n\r\n";
      if (!write_all(fd, answer)) return forget(fd);
      {
        std::lock_guard lock(mutex_);
        event_fds_.push_back(fd);
        ++event_streams_opened_;
      }
      changed_.notify_all();
      // The stream stays open until the client goes or drop_connections()/stop() shut it.
      while (read_more()) {
      }
      return forget(fd);
    }

    const FakeResponse response = handler_(request);
    if (response.delay.count() > 0) {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, response.delay, [&] { return stopping_; });
    }
    const std::string answer =
        "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(response.body.size()) + (response.close ? "\r\nConnection: close" : "") +
        "\r\n\r\n" + response.body;
    if (!write_all(fd, answer) || response.close) return forget(fd);
  }
}

void FakeDaemon::push_event(const std::string& line) {
  const std::string data = line + "\n";
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  const std::string chunk = size + data + "\r\n";
  std::lock_guard lock(mutex_);
  for (int fd : event_fds_) write_all(fd, chunk);
}

bool FakeDaemon::wait_for_event_streams(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return event_streams_opened_ >= count; });
}

void FakeDaemon::drop_connections() {
  std::lock_guard lock(mutex_);
  for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
}

std::vector<FakeRequest> FakeDaemon::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeDaemon::connections_accepted() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

}  // namespace swarmcopy::test
