#include "file_ops.h"

#include "input_checks.h"
#include "job_directory.h"
#include "swarmcopy/util/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace swarmcopy::engine {
namespace {

api::Result<void> invalid(const std::string& why, const std::string& path) {
  return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument, why, 0, path,
                   api::Protocol::kLocal);
}

}  // namespace

api::Error local_file_error(const std::string& what, const std::string& path, int err) {
  return api::Error{
      api::ErrorContext::kLocalFile,
      err == ENOSPC || err == EDQUOT ? api::ErrorKind::kDiskFull : api::ErrorKind::kLocalIo,
      err,
      what + ": " + std::strerror(err),
      path,
      api::Protocol::kLocal};
}

api::Result<void> check_destination(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return invalid("destination must be an absolute path", path);
  }
  if (has_control_character(path)) {
    return invalid("destination contains a NUL or control character", path);
  }
  if (path.back() == '/') return invalid("destination names a directory", path);
  const auto name = std::filesystem::path(path).filename().string();
  if (name.empty() || name == "." || name == "..") {
    return invalid("destination has no file name", path);
  }
  const std::string dir = directory_of(path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return invalid("destination directory does not exist: " + dir, path);
  }
  if (!S_ISDIR(st.st_mode)) return invalid("destination's parent is not a directory", path);
  // AT_EACCESS: checked with the thread's current (file-system) credentials — the job owner's
  // under ScopedFsCredentials — not the process's real uid as access() would.
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    return invalid("destination directory is not writable: " + dir, path);
  }
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return invalid("destination is an existing directory", path);
  }
  return {};
}

std::string temp_path_for(const std::string& destination, const api::JobId& job,
                          std::uint32_t index) {
  const std::filesystem::path dest(destination);
  std::string name = dest.filename().string();
  // Keep the whole name under NAME_MAX (255): ".<name>.<36>-<index>.part".
  constexpr std::size_t kMaxNameChars = 180;
  if (name.size() > kMaxNameChars) name.resize(kMaxNameChars);
  const std::string temp_name =
      "." + name + "." + job.to_string() + "-" + std::to_string(index) + ".part";
  return (dest.parent_path() / temp_name).string();
}

api::Result<void> check_temp_file(const std::string& path, std::uint32_t owner_uid,
                                  std::optional<std::uint64_t> size) {
  auto dir = JobDirectory::of(path);
  if (!dir) return std::unexpected(dir.error());
  struct stat st {};
  if (::fstatat(dir->fd(), name_in_directory(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return std::unexpected(local_file_error("temporary file is missing", path, errno));
  }
  auto replaced = [&](const std::string& why) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "temporary file was replaced: " + why, 0, path, api::Protocol::kLocal);
  };
  if (!S_ISREG(st.st_mode)) return replaced("not a regular file");
  if (st.st_uid != owner_uid) return replaced("not owned by the job's owner");
  if (size && static_cast<std::uint64_t>(st.st_size) != *size) {
    return replaced(std::to_string(st.st_size) + " bytes instead of " + std::to_string(*size));
  }
  return {};
}

api::Result<void> move_all_into_place(std::span<const PendingMove> moves) {
  // Each temporary file lives beside its destination: one directory per move, opened once.
  struct Move {
    JobDirectory dir;
    std::string temp;
    std::string destination;
    std::string backup;  // a hard link to the replaced destination, "" when there was none
  };
  std::vector<Move> opened;
  opened.reserve(moves.size());
  for (const auto& move : moves) {
    auto dir = JobDirectory::of(move.destination);
    if (!dir) return std::unexpected(dir.error());
    if (directory_of(move.temp) != dir->path()) {
      return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal,
                       "temporary file is not beside its destination", 0, move.temp,
                       api::Protocol::kLocal);
    }
    opened.push_back(Move{
        std::move(*dir), name_in_directory(move.temp), name_in_directory(move.destination), {}});
  }
  for (auto& move : opened) {
    const std::string backup = move.temp + ".previous";
    ::unlinkat(move.dir.fd(), backup.c_str(), 0);
    if (::linkat(move.dir.fd(), move.destination.c_str(), move.dir.fd(), backup.c_str(), 0) == 0) {
      move.backup = backup;
    }
  }
  auto drop_backups = [&] {
    for (const auto& move : opened) {
      if (!move.backup.empty()) ::unlinkat(move.dir.fd(), move.backup.c_str(), 0);
    }
  };
  for (std::size_t done = 0; done < opened.size(); ++done) {
    const auto& move = opened[done];
    const int fd = move.dir.fd();
    if (::renameat(fd, move.temp.c_str(), fd, move.destination.c_str()) == 0) continue;
    const int err = errno;
    for (std::size_t j = 0; j < done; ++j) {
      const auto& back = opened[j];
      const int back_fd = back.dir.fd();
      ::renameat(back_fd, back.destination.c_str(), back_fd, back.temp.c_str());
      if (!back.backup.empty()) {
        ::renameat(back_fd, back.backup.c_str(), back_fd, back.destination.c_str());
      }
    }
    drop_backups();
    return std::unexpected(
        local_file_error("cannot move into place", moves[done].destination, err));
  }
  drop_backups();
  std::vector<std::string> synced;
  for (const auto& move : opened) {
    if (std::find(synced.begin(), synced.end(), move.dir.path()) != synced.end()) continue;
    if (::fsync(move.dir.fd()) != 0) {
      return std::unexpected(local_file_error("fsync failed", move.dir.path(), errno));
    }
    synced.push_back(move.dir.path());
  }
  return {};
}

api::Result<void> remove_file(const std::string& path) {
  auto dir = JobDirectory::of(path);
  if (!dir) {
    // No directory, no file to remove.
    if (dir.error().code == ENOENT) return {};
    return std::unexpected(dir.error());
  }
  if (::unlinkat(dir->fd(), name_in_directory(path).c_str(), 0) != 0 && errno != ENOENT) {
    return std::unexpected(local_file_error("cannot remove", path, errno));
  }
  return {};
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_sha256_hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (unsigned char c : text) {
    if (!std::isxdigit(c)) return false;
  }
  return true;
}

}  // namespace swarmcopy::engine
