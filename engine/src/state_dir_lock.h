// StateDirLock: an exclusive flock on "<state dir>/lock", held for the engine's lifetime, so
// two processes never share one job store. The holder writes its pid into the file so that
// the error the next one gets can name it. The kernel drops the lock when the process dies,
// so a crashed process never leaves a stale lock behind.
#pragma once

#include <filesystem>

#include "swarmcopy/api/error.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine {

class StateDirLock {
 public:
  // Creates the directory (mode 0700) if missing, then takes the lock without waiting: a
  // directory in use by another process is a kUnavailable error that names it.
  static api::Result<StateDirLock> acquire(const std::filesystem::path& state_dir);

 private:
  explicit StateDirLock(util::UniqueFd fd) : fd_(std::move(fd)) {}
  util::UniqueFd fd_;
};

}  // namespace swarmcopy::engine
