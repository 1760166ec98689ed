#include "swarmcopy/engine/service.h"

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

  void shutdown() override { engine_->shutdown(); }

 private:
  std::shared_ptr<Engine> engine_;
};

}  // namespace

api::Result<std::shared_ptr<Service>> open_service(const std::filesystem::path& state_dir,
                                                   const EngineOptions& options) {
  auto engine = Engine::open(state_dir, options);
  if (!engine) return std::unexpected(engine.error());
  return std::make_shared<EngineService>(std::move(*engine));
}

}  // namespace swarmcopy::engine
