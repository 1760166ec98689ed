#include "state_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

namespace swarmcopy::engine {
namespace {

// The holder writes its pid into the lock file, so that the one who finds the directory
// locked can be told which process to look at. Best effort: the lock, not the pid, decides.
void write_pid(int fd) {
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
}

// The pid the lock file names, if any (a holder from before the pid was written, or one still
// writing it, names none).
std::optional<pid_t> pid_in(int fd) {
  char buffer[32] = {};
  const auto got = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (got <= 0) return std::nullopt;
  const long pid = std::strtol(buffer, nullptr, 10);
  if (pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::string holder_of(int fd) {
  const auto pid = pid_in(fd);
  return pid ? " (pid " + std::to_string(*pid) + ")" : std::string();
}

}  // namespace

api::Result<StateDirLock> StateDirLock::acquire(const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot create state directory: " + ec.message(), ec.value(),
                     state_dir.string(), api::Protocol::kLocal);
  }
  ::chmod(state_dir.c_str(), 0700);
  const auto lock_path = (state_dir / "lock").string();
  util::UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     std::string("cannot open lock file: ") + std::strerror(errno), errno,
                     lock_path, api::Protocol::kLocal);
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                       "state directory is in use by another swarmcopy" + holder_of(fd.get()), err,
                       state_dir.string(), api::Protocol::kLocal);
    }
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     std::string("cannot lock state directory: ") + std::strerror(err), err,
                     lock_path, api::Protocol::kLocal);
  }
  write_pid(fd.get());
  return StateDirLock(std::move(fd));
}

}  // namespace swarmcopy::engine
