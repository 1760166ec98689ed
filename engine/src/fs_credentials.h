// ScopedFsCredentials: for its lifetime, the calling thread touches the file system as another
// user — fsuid, fsgid and supplementary groups switched on this thread only (setfsuid/setfsgid
// and the raw setgroups syscall are per-thread on Linux) — so that a service running as root
// creates, replaces and removes a job's files exactly where the job's owner could, and the
// kernel, not a check-then-write, decides. A no-op when the process is not root or the user is
// root: then the process's own credentials are the owner's.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace swarmcopy::engine {

// The user's supplementary groups (its primary group included), as login would give them; just
// `gid` when the uid has no passwd entry.
std::vector<gid_t> owner_groups(std::uint32_t uid, std::uint32_t gid);

class ScopedFsCredentials {
 public:
  ScopedFsCredentials(std::uint32_t uid, std::uint32_t gid);
  ~ScopedFsCredentials();
  ScopedFsCredentials(const ScopedFsCredentials&) = delete;
  ScopedFsCredentials& operator=(const ScopedFsCredentials&) = delete;

 private:
  bool switched_ = false;
  uid_t saved_fsuid_ = 0;
  gid_t saved_fsgid_ = 0;
  std::vector<gid_t> saved_groups_;
};

}  // namespace swarmcopy::engine
