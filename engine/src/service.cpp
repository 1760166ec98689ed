#include "swarmcopy/engine/service.h"

#include <unistd.h>

#include <atomic>

#include "engine.h"
#include "local_manager.h"
#include "store_cache_admin.h"

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

  api::Result<void> apply_policy(const EngineOptions& options) override {
    return engine_->call([&]() -> api::Result<void> {
      engine_->apply_policy(options);
      return {};
    });
  }

  api::Result<NetworkTally> network_tally() override {
    return engine_->call([&]() -> api::Result<NetworkTally> { return engine_->network_tally(); });
  }
  api::Result<FileReady> file_ready(const Caller& caller, const api::JobId& id,
                                    std::uint32_t index) override {
    return engine_->call([&] { return engine_->file_ready(caller, id, index); });
  }

  std::shared_ptr<api::CacheAdmin> cache_admin(const Caller& caller) override {
    const CacheViewer viewer{caller.uid,
                             caller.admin || caller.uid == static_cast<std::uint32_t>(::geteuid())};
    // The view keeps the engine (and so its store) alive; after shutdown it answers as job
    // calls do.
    return std::make_shared<StoreCacheAdmin>(
        [engine = engine_, shut_down = shut_down_]() -> api::Result<cache::ContentStore*> {
          if (*shut_down) {
            return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                             "the engine has shut down");
          }
          auto* store = engine->content_store();
          if (store == nullptr) {
            return api::fail(api::ErrorContext::kCache, api::ErrorKind::kInvalidState,
                             "the content cache is disabled");
          }
          return store;
        },
        viewer);
  }

  void shutdown() override {
    *shut_down_ = true;
    engine_->shutdown();
  }

 private:
  std::shared_ptr<Engine> engine_;
  // Shared with the cache views, which may outlive this.
  std::shared_ptr<std::atomic<bool>> shut_down_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace

api::Result<std::shared_ptr<Service>> open_service(const std::filesystem::path& state_dir,
                                                   const EngineOptions& options) {
  auto engine = Engine::open(state_dir, options);
  if (!engine) return std::unexpected(engine.error());
  return std::make_shared<EngineService>(std::move(*engine));
}

}  // namespace swarmcopy::engine
