// StateDirLock: an exclusive flock on "<state dir>/lock", held for the engine's lifetime, so
// two processes never share one job store. The holder writes its pid (and a daemon the socket
// it serves on) into the file, as state_dir_holder.h says, so that the error the next one gets
// can name it and `get` can go through the daemon. The kernel drops the lock when the process dies,
// so a crashed process never leaves a stale lock behind.
#pragma once

#include <filesystem>
#include <optional>

#include "swarmcopy/api/error.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine {

class StateDirLock {
 public:
  // Creates the directory (mode 0700) if missing, then takes the lock without waiting: a
  // directory in use by another process is a kUnavailable error that names it. `socket`: where
  // this process serves the directory's jobs, when it is a daemon.
  static api::Result<StateDirLock> acquire(
      const std::filesystem::path& state_dir,
      const std::optional<std::filesystem::path>& socket = std::nullopt);

 private:
  explicit StateDirLock(util::UniqueFd fd) : fd_(std::move(fd)) {}
  util::UniqueFd fd_;
};

}  // namespace swarmcopy::engine
