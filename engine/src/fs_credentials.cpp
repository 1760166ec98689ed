#include "fs_credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

namespace swarmcopy::engine {
namespace {

// glibc's setgroups() changes every thread of the process; the raw syscall only this one.
int set_thread_groups(const std::vector<gid_t>& groups) {
  return static_cast<int>(::syscall(SYS_setgroups, groups.size(), groups.data()));
}

}  // namespace

// The owner's supplementary groups; just the primary group when the uid has no passwd entry.
std::vector<gid_t> owner_groups(std::uint32_t uid, std::uint32_t gid) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return {static_cast<gid_t>(gid)};
  }
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (::getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));
    if (::getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) return {gid};
  }
  groups.resize(static_cast<std::size_t>(count));
  return groups;
}

ScopedFsCredentials::ScopedFsCredentials(std::uint32_t uid, std::uint32_t gid) {
  if (::geteuid() != 0 || uid == 0) return;
  const int count = ::getgroups(0, nullptr);
  saved_groups_.resize(static_cast<std::size_t>(count > 0 ? count : 0));
  if (count > 0) ::getgroups(count, saved_groups_.data());
  // Failing to drop to the owner would let root's rights stand in for the owner's: a bug we
  // cannot handle, so the process stops rather than write where it must not.
  if (set_thread_groups(owner_groups(uid, gid)) != 0) std::abort();
  // setfsuid/setfsgid(-1) change nothing and answer the current value.
  saved_fsuid_ = static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1)));
  saved_fsgid_ = static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1)));
  ::setfsgid(gid);
  ::setfsuid(uid);
  if (static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1))) != uid) std::abort();
  switched_ = true;
}

ScopedFsCredentials::~ScopedFsCredentials() {
  if (!switched_) return;
  ::setfsuid(saved_fsuid_);
  ::setfsgid(saved_fsgid_);
  set_thread_groups(saved_groups_);
}

}  // namespace swarmcopy::engine
