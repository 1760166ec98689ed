#include "progressive_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "file_ops.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine::swarm {
namespace {

// `length` bytes at `offset` of `in` to the same offset of `out`: in the kernel where it can
// (copy_file_range), through a buffer where it cannot (another file system, an old kernel).
api::Result<void> copy_range(int in, int out, std::uint64_t offset, std::uint64_t length,
                             const std::string& out_name) {
  loff_t in_at = static_cast<loff_t>(offset);
  loff_t out_at = static_cast<loff_t>(offset);
  std::uint64_t left = length;
  while (left > 0) {
    const ssize_t n =
        ::copy_file_range(in, &in_at, out, &out_at,
                          static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 30)), 0);
    if (n > 0) {
      left -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (n == 0)
      return std::unexpected(
          local_file_error("cache item shorter than its metadata", out_name, EIO));
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
      return std::unexpected(local_file_error("cannot copy cached content", out_name, errno));
    }
    break;  // no in-kernel copy here: by hand
  }
  std::vector<char> buffer(std::min<std::uint64_t>(left, 1u << 20));
  while (left > 0) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
    const ssize_t n = ::pread(in, buffer.data(), want, in_at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return std::unexpected(
          local_file_error("cannot read cached content", out_name, n == 0 ? EIO : errno));
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w =
          ::pwrite(out, buffer.data() + done, static_cast<std::size_t>(n - done), out_at + done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0)
        return std::unexpected(local_file_error("cannot copy cached content", out_name, errno));
      done += w;
    }
    in_at += n;
    out_at += n;
    left -= static_cast<std::uint64_t>(n);
  }
  return {};
}

}  // namespace

ProgressiveCopy::ProgressiveCopy(std::shared_ptr<TempFile> temp, std::filesystem::path object,
                                 std::uint64_t size)
    : temp_(std::move(temp)), object_(std::move(object)), size_(size) {}

api::Result<void> ProgressiveCopy::copy_new(const RangeSet& durable) {
  return copy_missing(durable, true);
}

api::Result<void> ProgressiveCopy::finish() {
  if (auto copied = copy_missing(RangeSet({ByteRange{0, size_}}), false); !copied) return copied;
  return temp_->sync();
}

std::uint64_t ProgressiveCopy::copied_bytes() const {
  std::lock_guard lock(mutex_);
  return copied_.total();
}

api::Result<void> ProgressiveCopy::copy_missing(const RangeSet& wanted, bool write_back) {
  std::lock_guard lock(mutex_);
  util::UniqueFd in(::open(object_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    return std::unexpected(local_file_error("cannot read cached content", object_.string(), errno));
  }
  // wanted − copied: each gap of what is copied, cut to each wanted range.
  for (const auto& gap : copied_.gaps(size_)) {
    for (const auto& range : wanted.ranges()) {
      const std::uint64_t begin = std::max(gap.begin, range.begin);
      const std::uint64_t end = std::min(gap.end, range.end);
      if (begin >= end) continue;
      if (auto copied = copy_range(in.get(), temp_->fd(), begin, end - begin, temp_->path());
          !copied) {
        return copied;
      }
      copied_.add(ByteRange{begin, end});
      // Start the write-back now, so that the final fsync finds little left to do.
      if (write_back) {
        (void)::sync_file_range(temp_->fd(), static_cast<off_t>(begin),
                                static_cast<off_t>(end - begin), SYNC_FILE_RANGE_WRITE);
      }
    }
  }
  return {};
}

}  // namespace swarmcopy::engine::swarm
