// StoreCacheAdmin: an api::CacheAdmin over a ContentStore, for one viewer: the view of a locked
// state directory (cache_admin.cpp) and of the running engine (service.cpp) alike. A viewer
// that is not `sees_all` is listed only the items it fetched or the origin confirmed for it
// (CachedItem::users): a key is a content hash, and listing another user's would tell what
// they fetched and name the item to ask for. Calls run on the calling thread (prune and clear
// remove files: jobs must not wait behind them).
#pragma once

#include <cstdint>
#include <functional>

#include "swarmcopy/api/cache_admin.h"
#include "swarmcopy/cache/content_store.h"

namespace swarmcopy::engine {

struct CacheViewer {
  std::uint32_t uid = 0;
  bool sees_all = false;
};

class StoreCacheAdmin final : public api::CacheAdmin {
 public:
  // `store` answers the store to use, or why there is none (disabled, shut down).
  StoreCacheAdmin(std::function<api::Result<cache::ContentStore*>()> store, CacheViewer viewer)
      : store_(std::move(store)), viewer_(viewer) {}

  api::Result<std::vector<api::CacheItem>> items() override;
  api::Result<api::CacheStats> stats() override;
  api::Result<api::CacheCleanup> prune() override;
  api::Result<api::CacheCleanup> clear() override;

 private:
  api::Result<api::CacheCleanup> cleanup(bool all);

  std::function<api::Result<cache::ContentStore*>()> store_;
  CacheViewer viewer_;
};

}  // namespace swarmcopy::engine
