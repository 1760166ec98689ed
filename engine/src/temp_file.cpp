#include "temp_file.h"

#include "file_ops.h"
#include "job_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "swarmcopy/util/file_io.h"

namespace swarmcopy::engine {

api::Error TempFile::io_error(const char* what, int err) const {
  return local_file_error(what, path_, err);
}

api::Result<std::shared_ptr<TempFile>> TempFile::open(const std::string& path,
                                                      std::optional<std::uint32_t> mode) {
  // The path is in the owner's directory, so it may be anything the owner put there: reach it
  // by name in its directory (JobDirectory), never follow a symlink, never wait on a FIFO
  // (O_NONBLOCK), and keep only a regular file.
  auto dir = JobDirectory::of(path);
  if (!dir) return std::unexpected(dir.error());
  util::UniqueFd fd(::openat(dir->fd(), name_in_directory(path).c_str(),
                             O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0666));
  if (!fd.valid()) {
    return std::unexpected(local_file_error("cannot open temporary file", path, errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return std::unexpected(local_file_error("cannot open temporary file", path, errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "temporary file is not a regular file", 0, path, api::Protocol::kLocal);
  }
  // Only a file the job's owner made is written: another user's file under the temporary
  // file's name (made in a directory both can write) would stay open to that user.
  if (st.st_uid != current_fs_uid()) {
    return api::fail(
        api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
        "temporary file belongs to another user (uid " + std::to_string(st.st_uid) + ")", 0, path,
        api::Protocol::kLocal);
  }
  // A service's umask is not the caller's: the caller's mode is set here, on the file it owns.
  if (mode && ::fchmod(fd.get(), static_cast<mode_t>(*mode)) != 0) {
    return std::unexpected(local_file_error("cannot set the temporary file's mode", path, errno));
  }
  // Regular files ignore O_NONBLOCK, but clear it so the descriptor is plain.
  (void)::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  return std::shared_ptr<TempFile>(new TempFile(path, std::move(fd)));
}

api::Result<void> TempFile::write_at(std::uint64_t offset, std::span<const char> bytes) {
  if (const int error = util::pwrite_fully(fd_.get(), bytes, offset); error != 0) {
    return std::unexpected(io_error("write failed", error));
  }
  return {};
}

api::Result<void> TempFile::reserve(std::uint64_t size) {
  if (size == 0) return {};
  const int err = ::posix_fallocate(fd_.get(), 0, static_cast<off_t>(size));
  // Some file systems cannot preallocate; a full disk then shows at the first failing write.
  if (err == 0 || err == EOPNOTSUPP || err == EINVAL) return {};
  return std::unexpected(io_error("cannot reserve space", err));
}

api::Result<void> TempFile::truncate(std::uint64_t size) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return std::unexpected(io_error("cannot set file size", errno));
  }
  return {};
}

api::Result<void> TempFile::sync() {
  if (::fdatasync(fd_.get()) != 0) return std::unexpected(io_error("fdatasync failed", errno));
  return {};
}

api::Result<std::uint64_t> TempFile::size() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return std::unexpected(io_error("fstat failed", errno));
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace swarmcopy::engine
