#include "swarmcopy/engine/cache_admin.h"

#include <unistd.h>

#include "state_dir_lock.h"
#include "store_cache_admin.h"

namespace swarmcopy::engine {
namespace {

// The lock and the store live as long as the view.
class LockedCache final : public api::CacheAdmin {
 public:
  LockedCache(StateDirLock lock, std::unique_ptr<cache::ContentStore> store)
      : lock_(std::move(lock)),
        store_(std::move(store)),
        view_([this]() -> api::Result<cache::ContentStore*> { return store_.get(); },
              CacheViewer{static_cast<std::uint32_t>(::geteuid()), true}) {}

  api::Result<std::vector<api::CacheItem>> items() override { return view_.items(); }
  api::Result<api::CacheStats> stats() override { return view_.stats(); }
  api::Result<api::CacheCleanup> prune() override { return view_.prune(); }
  api::Result<api::CacheCleanup> clear() override { return view_.clear(); }

 private:
  StateDirLock lock_;  // declared first: released after the store has closed cleanly
  std::unique_ptr<cache::ContentStore> store_;
  StoreCacheAdmin view_;
};

}  // namespace

api::Result<std::unique_ptr<api::CacheAdmin>> open_cache_admin(
    const std::filesystem::path& state_dir, const EngineOptions& options) {
  auto lock = StateDirLock::acquire(state_dir);
  if (!lock) return std::unexpected(lock.error());
  auto store = cache::ContentStore::open(
      options.cache_dir.empty() ? state_dir / "cache" : options.cache_dir, options.cache_limits);
  if (!store) return std::unexpected(store.error());
  return std::make_unique<LockedCache>(std::move(*lock), std::move(*store));
}

}  // namespace swarmcopy::engine
