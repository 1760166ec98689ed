#include "file_ops.h"

#include "input_checks.h"
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

util::UniqueFd open_fd(const std::string& path, int flags) {
  return util::UniqueFd(::open(path.c_str(), flags | O_CLOEXEC));
}

std::string parent_of(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "/" : parent;
}

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
  const std::string dir = parent_of(path);
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
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
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

api::Result<void> sync_directory(const std::string& path) {
  auto fd = open_fd(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
  if (!fd.valid()) return std::unexpected(local_file_error("cannot open for fsync", path, errno));
  if (::fsync(fd.get()) != 0) return std::unexpected(local_file_error("fsync failed", path, errno));
  return {};
}

api::Result<void> move_all_into_place(std::span<const PendingMove> moves) {
  std::vector<std::string> backups(moves.size());
  for (std::size_t i = 0; i < moves.size(); ++i) {
    const std::string backup = moves[i].temp + ".previous";
    ::unlink(backup.c_str());
    if (::link(moves[i].destination.c_str(), backup.c_str()) == 0) backups[i] = backup;
  }
  auto drop_backups = [&] {
    for (const auto& backup : backups) {
      if (!backup.empty()) ::unlink(backup.c_str());
    }
  };
  for (std::size_t done = 0; done < moves.size(); ++done) {
    if (::rename(moves[done].temp.c_str(), moves[done].destination.c_str()) == 0) continue;
    const int err = errno;
    for (std::size_t j = 0; j < done; ++j) {
      ::rename(moves[j].destination.c_str(), moves[j].temp.c_str());
      if (!backups[j].empty()) ::rename(backups[j].c_str(), moves[j].destination.c_str());
    }
    drop_backups();
    return std::unexpected(
        local_file_error("cannot move into place", moves[done].destination, err));
  }
  drop_backups();
  std::vector<std::string> synced;
  for (const auto& move : moves) {
    const auto dir = parent_of(move.destination);
    if (std::find(synced.begin(), synced.end(), dir) != synced.end()) continue;
    if (auto result = sync_directory(dir); !result) return result;
    synced.push_back(dir);
  }
  return {};
}

api::Result<void> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
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
