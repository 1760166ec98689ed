// CacheAdmin: the content cache as `swarmcopy cache` sees it, one interface whether the cache is
// opened from a state directory (engine::open_cache_admin, holding its lock) or reached through
// the swarmcopyd that holds it (client::connect_cache) or the running engine itself
// (engine::Service::cache_admin). A view belongs to one caller: it lists what that caller may
// see (another user's items name what they fetched). Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_times.h"

namespace swarmcopy::api {

struct CacheItem {
  std::string key;  // "sha256-<hex>" or the swarm metadata's key
  std::uint64_t bytes = 0;
  Clock::time_point added{};
  Clock::time_point last_used{};
  std::uint32_t pins = 0;  // jobs or swarms using it now: prune and clear leave it
  bool verified = true;    // false after an unclean shutdown until checked again
  bool partial = false;    // being filled by a swarm
  bool shared = false;     // fetched at least once without credentials
  bool operator==(const CacheItem&) const = default;
};

struct CacheStats {
  std::filesystem::path dir;  // the cache's directory (on the daemon's machine)
  std::uint64_t items = 0;
  std::uint64_t bytes = 0;
  std::uint64_t max_bytes = 0;
  std::uint64_t pinned_items = 0;
  std::uint64_t hits = 0;    // since the cache was opened
  std::uint64_t misses = 0;  // since the cache was opened
  // Items removed to keep within the size and age limits, since the cache was opened (not
  // those a clear or a failed check removed).
  std::uint64_t evictions = 0;
};

struct CacheCleanup {
  std::uint64_t freed_bytes = 0;
  CacheStats stats;  // after the clean-up
};

class CacheAdmin {
 public:
  virtual ~CacheAdmin() = default;
  // Most recently used first.
  virtual Result<std::vector<CacheItem>> items() = 0;
  virtual Result<CacheStats> stats() = 0;
  // Items no job or swarm uses go: those past the age or size limits (prune), or all (clear).
  virtual Result<CacheCleanup> prune() = 0;
  virtual Result<CacheCleanup> clear() = 0;
};

}  // namespace swarmcopy::api
