#include "progressive_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "file_ops.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine::swarm {
namespace {

// How long finish() waits for libtorrent to write out a piece it verified.
constexpr int kFinishAttempts = 100;
constexpr auto kFinishRetryDelay = std::chrono::milliseconds(50);

// `length` bytes at `offset` of `in` to the same offset of `out`, in the kernel where it can
// (copy_file_range: no trip through user space), through a buffer where it cannot.
api::Result<void> copy_in_kernel(int in, int out, std::uint64_t offset, std::uint64_t length,
                                 std::vector<char>& buffer, const std::string& name) {
  loff_t in_at = static_cast<loff_t>(offset);
  loff_t out_at = static_cast<loff_t>(offset);
  while (length > 0) {
    const ssize_t n = ::copy_file_range(in, &in_at, out, &out_at, length, 0);
    if (n > 0) {
      length -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
      return std::unexpected(local_file_error("cannot copy cached content", name, errno));
    }
    break;  // no in-kernel copy here (or a short source): by hand, which reports what fails
  }
  if (length == 0) return {};
  buffer.resize(length);
  for (std::size_t done = 0; done < buffer.size();) {
    const ssize_t n = ::pread(in, buffer.data() + done, buffer.size() - done, in_at + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return std::unexpected(
          local_file_error("cannot read cached content", name, n == 0 ? EIO : errno));
    }
    done += static_cast<std::size_t>(n);
  }
  for (std::size_t done = 0; done < buffer.size();) {
    const ssize_t n = ::pwrite(out, buffer.data() + done, buffer.size() - done, out_at + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(local_file_error("cannot copy cached content", name, errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

api::Result<void> read_at(int fd, std::uint64_t offset, std::span<char> buffer,
                          const std::string& name) {
  for (std::size_t done = 0; done < buffer.size();) {
    const ssize_t n =
        ::pread(fd, buffer.data() + done, buffer.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return std::unexpected(
          local_file_error("cannot read cached content", name, n == 0 ? EIO : errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

ProgressiveCopy::ProgressiveCopy(std::shared_ptr<TempFile> temp, std::filesystem::path object,
                                 std::shared_ptr<const peer::Metainfo> meta)
    : temp_(std::move(temp)),
      object_(std::move(object)),
      meta_(std::move(meta)),
      copied_(meta_->pieces, false) {}

api::Result<void> ProgressiveCopy::copy_new(const std::vector<bool>& pieces,
                                            const std::vector<bool>& trusted) {
  auto left = copy_pieces(pieces, trusted, true);
  if (!left) return std::unexpected(left.error());
  return {};
}

api::Result<void> ProgressiveCopy::finish(const std::vector<bool>& trusted) {
  const std::vector<bool> all(meta_->pieces, true);
  for (int attempt = 1;; ++attempt) {
    auto left = copy_pieces(all, trusted, false);
    if (!left) return std::unexpected(left.error());
    if (*left == 0) break;
    if (attempt == kFinishAttempts) {
      return api::fail(
          api::ErrorContext::kCache, api::ErrorKind::kChecksumMismatch,
          std::to_string(*left) + " pieces of the cached content do not match their hashes", 0,
          object_.string(), api::Protocol::kLocal);
    }
    std::this_thread::sleep_for(kFinishRetryDelay);
  }
  return temp_->sync();
}

api::Result<std::uint32_t> ProgressiveCopy::copy_pieces(const std::vector<bool>& pieces,
                                                        const std::vector<bool>& trusted,
                                                        bool write_back) {
  std::lock_guard lock(mutex_);
  util::UniqueFd in(::open(object_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    return std::unexpected(local_file_error("cannot read cached content", object_.string(), errno));
  }
  std::vector<char> buffer;
  std::uint32_t left = 0;
  const auto count = std::min<std::size_t>(pieces.size(), copied_.size());
  for (std::uint32_t piece = 0; piece < count; ++piece) {
    if (!pieces[piece] || copied_[piece]) continue;
    const std::uint64_t offset = std::uint64_t{piece} * meta_->piece_size;
    const auto size =
        static_cast<std::size_t>(std::min<std::uint64_t>(meta_->piece_size, meta_->size - offset));
    if (piece < trusted.size() && trusted[piece]) {
      if (auto copied = copy_in_kernel(in.get(), temp_->fd(), offset, size, buffer, temp_->path());
          !copied) {
        return std::unexpected(copied.error());
      }
    } else {
      buffer.resize(size);
      if (auto read = read_at(in.get(), offset, buffer, object_.string()); !read) {
        return std::unexpected(read.error());
      }
      if (!peer::piece_matches(*meta_, piece, buffer)) {
        ++left;  // not written out by libtorrent yet: next time
        continue;
      }
      if (auto written = temp_->write_at(offset, buffer); !written) {
        return std::unexpected(written.error());
      }
    }
    copied_[piece] = true;
    // Start the write-back now, so that the final fsync finds little left to do.
    if (write_back) {
      (void)::sync_file_range(temp_->fd(), static_cast<off_t>(offset), static_cast<off_t>(size),
                              SYNC_FILE_RANGE_WRITE);
    }
  }
  return left;
}

}  // namespace swarmcopy::engine::swarm
