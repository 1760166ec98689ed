#include "state_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "swarmcopy/engine/state_dir_holder.h"

namespace swarmcopy::engine {
namespace {

// The holder writes its pid (and a daemon its socket) into the lock file, so that the one who
// finds the directory locked can be told which process to look at, or which daemon to ask.
// Best effort: the lock, not the text, decides.
void write_holder(int fd, const StateDirHolder& holder) {
  const std::string text = format_state_dir_holder(holder);
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(fd, text.data(), text.size(), 0);
  }
}

std::string holder_of(const std::filesystem::path& state_dir) {
  const auto holder = read_state_dir_holder(state_dir);
  return holder.pid ? " (pid " + std::to_string(*holder.pid) + ")" : std::string();
}

}  // namespace

api::Result<StateDirLock> StateDirLock::acquire(
    const std::filesystem::path& state_dir, const std::optional<std::filesystem::path>& socket) {
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
                       "state directory is in use by another swarmcopy" + holder_of(state_dir), err,
                       state_dir.string(), api::Protocol::kLocal);
    }
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     std::string("cannot lock state directory: ") + std::strerror(err), err,
                     lock_path, api::Protocol::kLocal);
  }
  write_holder(fd.get(), StateDirHolder{::getpid(), socket});
  return StateDirLock(std::move(fd));
}

}  // namespace swarmcopy::engine
