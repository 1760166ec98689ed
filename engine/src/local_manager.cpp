#include "local_manager.h"

#include <unistd.h>

#include "engine.h"
#include "local_job.h"
#include "swarmcopy/engine/local_manager.h"

namespace swarmcopy::engine {

LocalManager::LocalManager(std::shared_ptr<Engine> engine, Caller caller, bool owns_engine)
    : engine_(std::move(engine)), caller_(caller), owns_engine_(owns_engine) {}

LocalManager::~LocalManager() {
  if (owns_engine_) engine_->shutdown();
}

api::Result<std::shared_ptr<api::Job>> LocalManager::create_job(const std::string& display_name,
                                                                api::JobType type) {
  auto id = engine_->call([&] { return engine_->create_job(caller_, display_name, type); });
  if (!id) return std::unexpected(id.error());
  return std::make_shared<LocalJob>(engine_, caller_, *id);
}

api::Result<std::shared_ptr<api::Job>> LocalManager::get_job(const api::JobId& id) {
  auto found = engine_->call([&] { return engine_->find_job(caller_, id); });
  if (!found) return std::unexpected(found.error());
  return std::make_shared<LocalJob>(engine_, caller_, id);
}

api::Result<std::vector<std::shared_ptr<api::Job>>> LocalManager::jobs() {
  auto ids = engine_->call(
      [&]() -> api::Result<std::vector<api::JobId>> { return engine_->list_jobs(caller_); });
  if (!ids) return std::unexpected(ids.error());
  std::vector<std::shared_ptr<api::Job>> handles;
  handles.reserve(ids->size());
  for (const auto& id : *ids) handles.push_back(std::make_shared<LocalJob>(engine_, caller_, id));
  return handles;
}

// One pass on the engine thread: a consistent snapshot, no job purged between two calls.
api::Result<std::vector<api::JobInfo>> LocalManager::job_infos() {
  return engine_->call([&]() -> api::Result<std::vector<api::JobInfo>> {
    std::vector<api::JobInfo> infos;
    for (const auto& id : engine_->list_jobs(caller_)) {
      auto info = engine_->info(caller_, id);
      if (!info) return std::unexpected(info.error());
      infos.push_back(std::move(*info));
    }
    return infos;
  });
}

api::Result<std::shared_ptr<api::Manager>> open_local(const std::filesystem::path& state_dir,
                                                      const EngineOptions& options) {
  auto engine = Engine::open(state_dir, options);
  if (!engine) return std::unexpected(engine.error());
  const Caller self{options.owner_uid.value_or(static_cast<std::uint32_t>(::geteuid())),
                    static_cast<std::uint32_t>(::getegid()), false, std::nullopt};
  return std::make_shared<LocalManager>(std::move(*engine), self, true);
}

}  // namespace swarmcopy::engine
