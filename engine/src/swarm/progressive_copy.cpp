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
    buffer.resize(size);
    if (auto read = read_at(in.get(), offset, buffer, object_.string()); !read) {
      return std::unexpected(read.error());
    }
    const bool is_trusted = piece < trusted.size() && trusted[piece];
    if (!is_trusted && !peer::piece_matches(*meta_, piece, buffer)) {
      ++left;  // not written out by libtorrent yet: next time
      continue;
    }
    if (auto written = temp_->write_at(offset, buffer); !written) {
      return std::unexpected(written.error());
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
