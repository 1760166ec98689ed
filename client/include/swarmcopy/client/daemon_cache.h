// The content cache of a running swarmcopyd (daemon/API.md, /v1/cache): what `swarmcopy cache`
// uses when the daemon holds the state directory, so the cache cannot be opened directly.
// Listing and stats are open to every caller the daemon serves; prune and clear to root or the
// daemon's own user (others get the daemon's refusal as an api::Error). Each call is one
// request on a connection of its own. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_times.h"

namespace swarmcopy::client {

// One cached item, as cache::CachedItem (the client does not link the cache).
struct DaemonCacheItem {
  std::string key;  // "sha256-<hex>" or the metadata's key
  std::uint64_t bytes = 0;
  api::Clock::time_point added{};
  api::Clock::time_point last_used{};
  std::uint32_t pins = 0;  // jobs or swarms using it now: prune and clear leave it
  bool verified = true;    // false after an unclean shutdown until checked again
  bool partial = false;    // being filled by a swarm
};

struct DaemonCacheStats {
  std::filesystem::path dir;  // the cache's directory on the daemon's machine
  std::uint64_t items = 0;
  std::uint64_t bytes = 0;
  std::uint64_t max_bytes = 0;
  std::uint64_t pinned_items = 0;
  std::uint64_t hits = 0;    // since the daemon started
  std::uint64_t misses = 0;  // since the daemon started
};

struct DaemonCacheCleanup {
  std::uint64_t freed_bytes = 0;
  DaemonCacheStats stats;  // after the clean-up
};

// GET /v1/cache: most recently used first.
api::Result<std::vector<DaemonCacheItem>> daemon_cache_items(
    const std::filesystem::path& socket,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));
// GET /v1/cache/stats.
api::Result<DaemonCacheStats> daemon_cache_stats(
    const std::filesystem::path& socket,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));
// POST /v1/cache/prune: items past the daemon's age or size limits go.
api::Result<DaemonCacheCleanup> prune_daemon_cache(
    const std::filesystem::path& socket,
    std::chrono::milliseconds timeout = std::chrono::seconds(120));
// POST /v1/cache/clear: every item no job or swarm uses goes.
api::Result<DaemonCacheCleanup> clear_daemon_cache(
    const std::filesystem::path& socket,
    std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace swarmcopy::client
