// JobDirectory: the directory of a job's file, opened once, so that the temporary file and the
// destination are reached by name in it (openat, renameat, linkat, unlinkat, fstatat) and the
// path is resolved once, not at every call.
//
// Who may do what there is the thread's file-system credentials' business (ScopedFsCredentials:
// the job owner's). That is enough for a user's job: a symbolic link the owner plants leads only
// where the owner could write anyway. It is not for a job root owns (root's own, or one root
// took over) in a directory another user can change: that user could swap a directory on the
// path for a link to /etc between two calls. So when the thread acts as root and the path is
// not one only root can change, the directory is opened without following any symbolic link on
// the whole path (openat2 RESOLVE_NO_SYMLINKS); such a path is refused, in words.
#pragma once

#include <cstdint>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine {

class JobDirectory {
 public:
  // The parent directory of `file` (an absolute path).
  static api::Result<JobDirectory> of(const std::string& file);

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

 private:
  JobDirectory(std::string path, util::UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  util::UniqueFd fd_;
};

// The directory part of an absolute path ("/a/b.bin" → "/a", "/b.bin" → "/"), and its file
// name part ("b.bin").
std::string directory_of(const std::string& file);
std::string name_in_directory(const std::string& file);

// The calling thread's file-system uid: the job owner's under ScopedFsCredentials.
std::uint32_t current_fs_uid();
// True when it is root's (a root-owned job, or a process that is root).
bool acting_as_root();

// True when no user but root can change where `dir` leads: every directory on the way to it,
// through any symbolic link, is owned by root and writable by neither its group nor others.
// (A symbolic link in such a directory can only be replaced by root.)
bool only_root_can_change(const std::string& dir);

}  // namespace swarmcopy::engine
