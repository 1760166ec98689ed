#include "swarmcopy/engine/cache_admin.h"

#include "state_dir_lock.h"

namespace swarmcopy::engine {
namespace {

class LockedCache final : public CacheAdmin {
 public:
  LockedCache(StateDirLock lock, std::unique_ptr<cache::ContentStore> store)
      : lock_(std::move(lock)), store_(std::move(store)) {}
  cache::ContentStore& store() override { return *store_; }

 private:
  StateDirLock lock_;  // declared first: released after the store has closed cleanly
  std::unique_ptr<cache::ContentStore> store_;
};

}  // namespace

api::Result<std::unique_ptr<CacheAdmin>> CacheAdmin::open(const std::filesystem::path& state_dir,
                                                          const EngineOptions& options) {
  auto lock = StateDirLock::acquire(state_dir);
  if (!lock) return std::unexpected(lock.error());
  auto store = cache::ContentStore::open(
      options.cache_dir.empty() ? state_dir / "cache" : options.cache_dir, options.cache_limits);
  if (!store) return std::unexpected(store.error());
  return std::make_unique<LockedCache>(std::move(*lock), std::move(*store));
}

}  // namespace swarmcopy::engine
