#include "state_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace swarmcopy::engine {

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
                       "state directory is in use by another swarmcopy process", err,
                       state_dir.string(), api::Protocol::kLocal);
    }
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     std::string("cannot lock state directory: ") + std::strerror(err), err,
                     lock_path, api::Protocol::kLocal);
  }
  return StateDirLock(std::move(fd));
}

}  // namespace swarmcopy::engine
