#include "progressive_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "file_ops.h"
#include "swarmcopy/cache/file_copy.h"
#include "swarmcopy/util/file_io.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine::swarm {
namespace {

api::Result<void> read_at(int fd, std::uint64_t offset, std::span<char> buffer,
                          const std::string& name) {
  if (const int error = util::pread_fully(fd, buffer, offset); error != 0) {
    return std::unexpected(
        local_file_error("cannot read cached content", name, error == ENODATA ? EIO : error));
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

api::Result<std::vector<bool>> ProgressiveCopy::adopt(const std::vector<bool>& pieces) {
  std::lock_guard lock(mutex_);
  std::vector<bool> kept(copied_.size(), false);
  std::vector<char> buffer;
  const auto count = std::min(pieces.size(), copied_.size());
  for (std::uint32_t piece = 0; piece < count; ++piece) {
    if (!pieces[piece]) continue;
    const std::uint64_t offset = std::uint64_t{piece} * meta_->piece_size;
    buffer.resize(
        static_cast<std::size_t>(std::min<std::uint64_t>(meta_->piece_size, meta_->size - offset)));
    if (auto read = read_at(temp_->fd(), offset, buffer, temp_->path()); !read) {
      return std::unexpected(read.error());
    }
    if (peer::piece_matches(*meta_, piece, buffer)) kept[piece] = copied_[piece] = true;
  }
  return kept;
}

api::Result<void> ProgressiveCopy::copy_new(const std::vector<bool>& pieces) {
  return copy_pieces(pieces, true);
}

api::Result<void> ProgressiveCopy::write_piece(std::uint32_t piece, std::span<const char> data) {
  std::lock_guard lock(mutex_);
  if (piece >= copied_.size() || copied_[piece]) return {};
  const std::uint64_t offset = std::uint64_t{piece} * meta_->piece_size;
  if (auto written = temp_->write_at(offset, data); !written) return written;
  copied_[piece] = true;
  (void)::sync_file_range(temp_->fd(), static_cast<off_t>(offset), static_cast<off_t>(data.size()),
                          SYNC_FILE_RANGE_WRITE);
  return {};
}

api::Result<void> ProgressiveCopy::finish() {
  if (auto copied = copy_pieces(std::vector<bool>(meta_->pieces, true), false); !copied) {
    return copied;
  }
  return temp_->sync();
}

api::Result<void> ProgressiveCopy::copy_pieces(const std::vector<bool>& pieces, bool write_back) {
  std::lock_guard lock(mutex_);
  util::UniqueFd in(::open(object_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    return std::unexpected(local_file_error("cannot read cached content", object_.string(), errno));
  }
  const auto count = std::min<std::size_t>(pieces.size(), copied_.size());
  for (std::uint32_t piece = 0; piece < count;) {
    if (!pieces[piece] || copied_[piece]) {
      ++piece;
      continue;
    }
    // A run of adjacent pieces goes in one call.
    std::uint32_t end = piece;
    while (end < count && pieces[end] && !copied_[end]) copied_[end++] = true;
    const std::uint64_t offset = std::uint64_t{piece} * meta_->piece_size;
    const std::uint64_t size =
        std::min<std::uint64_t>(std::uint64_t{end} * meta_->piece_size, meta_->size) - offset;
    if (auto copied = cache::copy_range(in.get(), temp_->fd(), offset, size, temp_->path());
        !copied) {
      for (std::uint32_t undo = piece; undo < end; ++undo) copied_[undo] = false;
      return std::unexpected(copied.error());
    }
    // Start the write-back now, so that the final fsync finds little left to do.
    if (write_back) {
      (void)::sync_file_range(temp_->fd(), static_cast<off_t>(offset), static_cast<off_t>(size),
                              SYNC_FILE_RANGE_WRITE);
    }
    piece = end;
  }
  return {};
}

}  // namespace swarmcopy::engine::swarm
