// CacheSource: the content cache `swarmcopy cache` works on, either opened directly from a
// state directory (engine::CacheAdmin, holding its lock) or reached through the swarmcopyd that
// holds it (client/daemon_cache.h). Both answer in the cache's own types, so the command prints
// the same text and JSON whichever it is. Main thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/engine/cache_admin.h"

namespace swarmcopy::cli {

struct CacheCleanup {
  std::uint64_t freed_bytes = 0;
  cache::CacheStats stats;  // after the clean-up
};

class CacheSource {
 public:
  virtual ~CacheSource() = default;
  // Most recently used first.
  virtual api::Result<std::vector<cache::CachedItem>> items() = 0;
  virtual api::Result<cache::CacheStats> stats() = 0;
  // Items no job or swarm uses: past the limits (prune), or all of them (clear).
  virtual api::Result<CacheCleanup> prune() = 0;
  virtual api::Result<CacheCleanup> clear() = 0;
};

std::unique_ptr<CacheSource> local_cache_source(std::unique_ptr<engine::CacheAdmin> admin);
std::unique_ptr<CacheSource> daemon_cache_source(std::filesystem::path socket);

}  // namespace swarmcopy::cli
