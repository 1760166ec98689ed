#include "store_cache_admin.h"

#include <algorithm>

namespace swarmcopy::engine {
namespace {

api::CacheStats stats_of(cache::ContentStore& store) {
  const auto stats = store.stats();
  return api::CacheStats{store.dir(),        stats.items, stats.bytes,  stats.max_bytes,
                         stats.pinned_items, stats.hits,  stats.misses, stats.evictions};
}

}  // namespace

api::Result<std::vector<api::CacheItem>> StoreCacheAdmin::items() {
  auto store = store_();
  if (!store) return std::unexpected(store.error());
  std::vector<api::CacheItem> items;
  for (const auto& item : (*store)->list()) {
    const bool its_own =
        std::find(item.users.begin(), item.users.end(), viewer_.uid) != item.users.end();
    if (!viewer_.sees_all && !its_own) continue;
    items.push_back(api::CacheItem{item.key, item.size, item.added, item.last_used, item.pins,
                                   item.verified, item.partial, item.shared});
  }
  return items;
}

api::Result<api::CacheStats> StoreCacheAdmin::stats() {
  auto store = store_();
  if (!store) return std::unexpected(store.error());
  return stats_of(**store);
}

api::Result<api::CacheCleanup> StoreCacheAdmin::prune() { return cleanup(false); }
api::Result<api::CacheCleanup> StoreCacheAdmin::clear() { return cleanup(true); }

api::Result<api::CacheCleanup> StoreCacheAdmin::cleanup(bool all) {
  auto store = store_();
  if (!store) return std::unexpected(store.error());
  auto freed = all ? (*store)->clear() : (*store)->prune();
  if (!freed) return std::unexpected(freed.error());
  return api::CacheCleanup{*freed, stats_of(**store)};
}

}  // namespace swarmcopy::engine
