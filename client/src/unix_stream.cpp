#include "unix_stream.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <boost/asio/error.hpp>

namespace swarmcopy::client {
namespace {

using boost::system::error_code;

error_code errno_code(int error) { return error_code(error, boost::system::system_category()); }

// Milliseconds until `deadline` for poll(): -1 for never, 0 once it has passed.
int poll_timeout(UnixStream::Clock::time_point deadline) {
  if (deadline == UnixStream::Clock::time_point::max()) return -1;
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - UnixStream::Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1 << 30));
}

}  // namespace

std::expected<UnixStream, error_code> UnixStream::connect(const std::filesystem::path& path,
                                                          Clock::time_point deadline) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.empty() || text.size() >= sizeof address.sun_path) {
    return std::unexpected(errno_code(ENAMETOOLONG));
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);

  util::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return std::unexpected(errno_code(errno));
  // A non-blocking connect on a UNIX socket fails with EAGAIN while the listener's backlog is
  // full (a busy daemon): try again until the deadline rather than give up at once.
  for (;;) {
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return std::unexpected(errno_code(errno));
    if (Clock::now() >= deadline) return std::unexpected(errno_code(ETIMEDOUT));
    ::poll(nullptr, 0, 5);
  }
  return UnixStream(std::move(fd));
}

bool UnixStream::is_stale() const {
  pollfd fds{fd_.get(), POLLIN, 0};
  const int ready = ::poll(&fds, 1, 0);
  return ready != 0;  // readable (EOF, data, error) or poll failed: either way not reusable
}

bool UnixStream::wait_for(short events, error_code& ec) {
  for (;;) {
    std::array<pollfd, 2> fds{{{fd_.get(), events, 0}, {cancel_fd_, POLLIN, 0}}};
    const nfds_t count = cancel_fd_ >= 0 ? 2 : 1;
    const int ready = ::poll(fds.data(), count, poll_timeout(deadline_));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ec = errno_code(errno);
      return false;
    }
    if (ready == 0) {
      ec = boost::asio::error::timed_out;
      return false;
    }
    if (count == 2 && fds[1].revents != 0) {
      ec = boost::asio::error::operation_aborted;
      return false;
    }
    return true;  // ready, or an error/hang-up the next read or write reports
  }
}

std::size_t UnixStream::read_raw(void* data, std::size_t size, error_code& ec) {
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), data, size, 0);
    if (n > 0) {
      ec = {};
      return static_cast<std::size_t>(n);
    }
    if (n == 0) {
      ec = boost::asio::error::eof;  // Beast turns it into end_of_stream or a body's end
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ec = errno_code(errno);
      return 0;
    }
    if (!wait_for(POLLIN, ec)) return 0;
  }
}

std::size_t UnixStream::write_raw(const iovec* vectors, int count, error_code& ec) {
  if (count == 0) {
    ec = {};
    return 0;
  }
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(vectors);
  message.msg_iovlen = static_cast<std::size_t>(count);
  for (;;) {
    // MSG_NOSIGNAL: a daemon that went away is an EPIPE error here, not a SIGPIPE for the
    // application.
    const ssize_t n = ::sendmsg(fd_.get(), &message, MSG_NOSIGNAL);
    if (n >= 0) {
      ec = {};
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ec = errno_code(errno);
      return 0;
    }
    if (!wait_for(POLLOUT, ec)) return 0;
  }
}

}  // namespace swarmcopy::client
