// Which content cache `swarmcopy cache` works on. With --daemon or --socket: the daemon's
// (found as `get --daemon` finds it; never started). Otherwise the state directory's, opened
// directly; when another process holds that directory (or may not be read by this user) and a
// swarmcopyd that answers ($SWARMCOPY_SOCKET, the system socket, the user socket) reports that
// very directory's cache, the command goes through that daemon instead, which is what an
// administrator of a running daemon expects. Main thread.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "swarmcopy/api/cache_admin.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::cli {

struct CacheTarget {
  std::optional<std::filesystem::path> home_flag;  // --home
  bool daemon = false;                             // --daemon
  std::optional<std::filesystem::path> socket;     // --socket (implies the daemon)
};

api::Result<std::unique_ptr<api::CacheAdmin>> open_cache_admin(const CacheTarget& target);

}  // namespace swarmcopy::cli
