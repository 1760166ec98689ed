#include "swarmcopy/cache/file_copy.h"

#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace swarmcopy::cache {
namespace {

api::Error copy_error(const std::string& dest, int err) {
  return api::Error{api::ErrorContext::kCache,
                    err == ENOSPC ? api::ErrorKind::kDiskFull : api::ErrorKind::kLocalIo,
                    err,
                    std::string("cannot copy cached content: ") + std::strerror(err),
                    dest,
                    api::Protocol::kLocal};
}

}  // namespace

api::Result<void> copy_file_data(int source_fd, int dest_fd, std::uint64_t size,
                                 const std::string& dest_name) {
  if (::ioctl(dest_fd, FICLONE, source_fd) == 0) {
    if (::ftruncate(dest_fd, static_cast<off_t>(size)) != 0) {
      return std::unexpected(copy_error(dest_name, errno));
    }
    return {};
  }
  if (::ftruncate(dest_fd, 0) != 0) return std::unexpected(copy_error(dest_name, errno));
  return copy_range(source_fd, dest_fd, 0, size, dest_name);
}

api::Result<void> copy_range(int source_fd, int dest_fd, std::uint64_t offset, std::uint64_t length,
                             const std::string& dest_name) {
  auto in = static_cast<loff_t>(offset);
  auto out = static_cast<loff_t>(offset);
  const auto end = offset + length;
  bool fallback = false;
  while (static_cast<std::uint64_t>(in) < end && !fallback) {
    const auto left = end - static_cast<std::uint64_t>(in);
    const ssize_t n =
        ::copy_file_range(source_fd, &in, dest_fd, &out,
                          static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 30)), 0);
    if (n > 0) continue;
    if (n == 0) return std::unexpected(copy_error(dest_name, EIO));  // source shorter than said
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
      fallback = true;
      break;
    }
    return std::unexpected(copy_error(dest_name, errno));
  }
  if (!fallback) return {};
  std::vector<char> buffer(1 << 20);
  while (static_cast<std::uint64_t>(in) < end) {
    const auto want = std::min<std::uint64_t>(buffer.size(), end - static_cast<std::uint64_t>(in));
    const ssize_t n = ::pread(source_fd, buffer.data(), static_cast<std::size_t>(want), in);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::unexpected(copy_error(dest_name, n == 0 ? EIO : errno));
    for (ssize_t done = 0; done < n;) {
      const ssize_t w =
          ::pwrite(dest_fd, buffer.data() + done, static_cast<std::size_t>(n - done), in + done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return std::unexpected(copy_error(dest_name, errno));
      done += w;
    }
    in += n;
  }
  return {};
}

}  // namespace swarmcopy::cache
