#include "swarmcopy/engine/service.h"

#include <atomic>

#include "engine.h"
#include "local_manager.h"

namespace swarmcopy::engine {
namespace {

class EngineService final : public Service {
 public:
  explicit EngineService(std::shared_ptr<Engine> engine) : engine_(std::move(engine)) {}
  ~EngineService() override { engine_->shutdown(); }

  std::shared_ptr<api::Manager> manager_for(const Caller& caller) override {
    return std::make_shared<LocalManager>(engine_, caller, false);
  }

  void set_observer(EventObserver observer) override {
    (void)engine_->call([&]() -> api::Result<void> {
      engine_->set_observer(std::move(observer));
      return {};
    });
  }

  api::Result<std::size_t> job_count(std::optional<std::uint32_t> owner_uid) override {
    return engine_->call(
        [&]() -> api::Result<std::size_t> { return engine_->job_count(owner_uid); });
  }

  api::Result<bool> seeding() override {
    return engine_->call([&]() -> api::Result<bool> { return engine_->seeding(); });
  }

  api::Result<std::vector<cache::CachedItem>> cache_items() override {
    auto store = content_store();
    if (!store) return std::unexpected(store.error());
    return (*store)->list();
  }

  api::Result<cache::CacheStats> cache_stats() override {
    auto store = content_store();
    if (!store) return std::unexpected(store.error());
    return (*store)->stats();
  }

  api::Result<std::filesystem::path> cache_dir() override {
    auto store = content_store();
    if (!store) return std::unexpected(store.error());
    return (*store)->dir();
  }

  api::Result<std::uint64_t> prune_cache() override {
    auto store = content_store();
    if (!store) return std::unexpected(store.error());
    return (*store)->prune();
  }

  api::Result<std::uint64_t> clear_cache() override {
    auto store = content_store();
    if (!store) return std::unexpected(store.error());
    return (*store)->clear();
  }

  void shutdown() override {
    shut_down_ = true;
    engine_->shutdown();
  }

 private:
  // The store outlives shutdown() (the Engine owns it until destroyed, and we hold the Engine),
  // so a call racing with shutdown is still safe; afterwards calls answer as job calls do.
  api::Result<cache::ContentStore*> content_store() {
    if (shut_down_) {
      return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                       "the engine has shut down");
    }
    auto* store = engine_->content_store();
    if (store == nullptr) {
      return api::fail(api::ErrorContext::kCache, api::ErrorKind::kInvalidState,
                       "the content cache is disabled");
    }
    return store;
  }

  std::shared_ptr<Engine> engine_;
  std::atomic<bool> shut_down_{false};
};

}  // namespace

api::Result<std::shared_ptr<Service>> open_service(const std::filesystem::path& state_dir,
                                                   const EngineOptions& options) {
  auto engine = Engine::open(state_dir, options);
  if (!engine) return std::unexpected(engine.error());
  return std::make_shared<EngineService>(std::move(*engine));
}

}  // namespace swarmcopy::engine
