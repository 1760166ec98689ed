// UnixStream: one connected UNIX stream socket to the daemon, as a Beast SyncReadStream /
// SyncWriteStream whose every read and write is bounded. Beast's own sync operations on an
// asio socket would block forever on a daemon that hangs, and SO_RCVTIMEO does not help
// (asio polls again on EAGAIN); here the descriptor is non-blocking and each operation
// poll()s until the deadline, or until the optional cancel descriptor becomes readable (how
// the event thread is stopped). Used by one thread at a time.
#pragma once

#include <sys/uio.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <expected>
#include <filesystem>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::client {

class UnixStream {
 public:
  using Clock = std::chrono::steady_clock;

  // Connects to the socket at `path`; the error is the connect()'s errno (ENOENT: no socket
  // file, ECONNREFUSED: nobody listens, ETIMEDOUT: the backlog stayed full until `deadline`).
  static std::expected<UnixStream, boost::system::error_code> connect(
      const std::filesystem::path& path, Clock::time_point deadline);

  // Reads and writes after this fail with timed_out once `deadline` passes (max: never).
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }
  // A descriptor that aborts waiting reads and writes (operation_aborted) once readable.
  void set_cancel_fd(int fd) { cancel_fd_ = fd; }

  // True when the daemon closed its end or sent something unasked while the connection was
  // idle: it must not be reused.
  bool is_stale() const;

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::mutable_buffer buffer(*it);
      if (buffer.size() > 0) return read_raw(buffer.data(), buffer.size(), ec);
    }
    ec = {};
    return 0;
  }
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    const auto n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);  // only to satisfy the concept: unused
    return n;
  }

  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    std::array<iovec, 16> vectors{};
    int count = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) &&
         count < static_cast<int>(vectors.size());
         ++it) {
      const boost::asio::const_buffer buffer(*it);
      if (buffer.size() == 0) continue;
      vectors[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};
    }
    return write_raw(vectors.data(), count, ec);
  }
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    boost::system::error_code ec;
    const auto n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);  // only to satisfy the concept: unused
    return n;
  }

 private:
  explicit UnixStream(util::UniqueFd fd) : fd_(std::move(fd)) {}

  std::size_t read_raw(void* data, std::size_t size, boost::system::error_code& ec);
  std::size_t write_raw(const iovec* vectors, int count, boost::system::error_code& ec);
  // Waits until the socket is ready for `events`; false with ec set on timeout or cancel.
  bool wait_for(short events, boost::system::error_code& ec);

  util::UniqueFd fd_;
  Clock::time_point deadline_ = Clock::time_point::max();
  int cancel_fd_ = -1;
};

}  // namespace swarmcopy::client
