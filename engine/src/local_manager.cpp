#include "swarmcopy/engine/local_manager.h"

#include "engine.h"
#include "local_job.h"

namespace swarmcopy::engine {
namespace {

// The embedded Manager: owns the Engine's life. Its destructor shuts the engine down (jobs
// keep their state in the store); Job handles that outlive it answer kUnavailable.
class LocalManager final : public api::Manager {
 public:
  explicit LocalManager(std::shared_ptr<Engine> engine) : engine_(std::move(engine)) {}
  ~LocalManager() override { engine_->shutdown(); }

  api::Result<std::shared_ptr<api::Job>> create_job(const std::string& display_name,
                                                    api::JobType type) override {
    auto id = engine_->call([&] { return engine_->create_job(display_name, type); });
    if (!id) return std::unexpected(id.error());
    return std::make_shared<LocalJob>(engine_, *id);
  }

  api::Result<std::shared_ptr<api::Job>> get_job(const api::JobId& id) override {
    auto found = engine_->call([&] { return engine_->find_job(id); });
    if (!found) return std::unexpected(found.error());
    return std::make_shared<LocalJob>(engine_, id);
  }

  api::Result<std::vector<std::shared_ptr<api::Job>>> jobs() override {
    auto ids = engine_->call(
        [&]() -> api::Result<std::vector<api::JobId>> { return engine_->list_jobs(); });
    if (!ids) return std::unexpected(ids.error());
    std::vector<std::shared_ptr<api::Job>> handles;
    for (const auto& id : *ids) handles.push_back(std::make_shared<LocalJob>(engine_, id));
    return handles;
  }

 private:
  std::shared_ptr<Engine> engine_;
};

}  // namespace

api::Result<std::shared_ptr<api::Manager>> open_local(const std::filesystem::path& state_dir,
                                                      const EngineOptions& options) {
  auto engine = Engine::open(state_dir, options);
  if (!engine) return std::unexpected(engine.error());
  return std::make_shared<LocalManager>(std::move(*engine));
}

}  // namespace swarmcopy::engine
