#include "job_directory.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "file_ops.h"

namespace swarmcopy::engine {
namespace {

constexpr int kDirectoryFlags = O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC;

bool only_root_can_write(const struct stat& st) {
  return S_ISDIR(st.st_mode) && st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// Every directory from "/" down to `real` (a path without links, as realpath gives it).
bool chain_only_root_can_write(const std::filesystem::path& real, std::set<std::string>& checked) {
  std::filesystem::path prefix;
  for (const auto& part : real) {
    prefix /= part;
    if (!checked.insert(prefix.string()).second) continue;
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) != 0 || !only_root_can_write(st)) return false;
  }
  return true;
}

util::UniqueFd open_without_links(const std::string& dir) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(kDirectoryFlags);
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return util::UniqueFd(
      static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, dir.c_str(), &how, sizeof how)));
}

}  // namespace

// setfsuid(-1) changes nothing and answers the current value.
std::uint32_t current_fs_uid() {
  return static_cast<std::uint32_t>(::setfsuid(static_cast<uid_t>(-1)));
}

bool acting_as_root() { return current_fs_uid() == 0; }

bool only_root_can_change(const std::string& dir) {
  // Each prefix as written, then where it leads: a link on the way is followed only if the
  // directories it sits in and leads through are all root's alone.
  std::set<std::string> checked;
  std::filesystem::path prefix;
  for (const auto& part : std::filesystem::path(dir)) {
    if (part == "." || part == "..") return false;  // resolved by the kernel, not by name
    prefix /= part;
    char real[PATH_MAX];
    if (::realpath(prefix.c_str(), real) == nullptr) return false;
    if (!chain_only_root_can_write(real, checked)) return false;
  }
  return true;
}

std::string directory_of(const std::string& file) {
  auto parent = std::filesystem::path(file).parent_path().string();
  return parent.empty() ? "/" : parent;
}

std::string name_in_directory(const std::string& file) {
  return std::filesystem::path(file).filename().string();
}

api::Result<JobDirectory> JobDirectory::of(const std::string& file) {
  const std::string dir = directory_of(file);
  if (acting_as_root() && !only_root_can_change(dir)) {
    util::UniqueFd fd = open_without_links(dir);
    if (fd.valid()) return JobDirectory(dir, std::move(fd));
    const int err = errno;
    if (err == ELOOP) {
      return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                       "the path has a symbolic link in a directory another user can change: "
                       "root does not follow it",
                       err, dir, api::Protocol::kLocal);
    }
    return std::unexpected(local_file_error("cannot open the directory", dir, err));
  }
  util::UniqueFd fd(::open(dir.c_str(), kDirectoryFlags));
  if (!fd.valid())
    return std::unexpected(local_file_error("cannot open the directory", dir, errno));
  return JobDirectory(dir, std::move(fd));
}

}  // namespace swarmcopy::engine
