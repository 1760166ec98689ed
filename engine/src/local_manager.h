// LocalManager: a Manager view of the Engine for one caller. The view that open_local returns
// owns the engine's life (its destructor shuts the engine down; jobs keep their state in the
// store); the Service's views do not. Job handles that outlive the engine answer kUnavailable.
#pragma once

#include <memory>

#include "swarmcopy/api/manager.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::engine {

class Engine;

class LocalManager final : public api::Manager {
 public:
  LocalManager(std::shared_ptr<Engine> engine, Caller caller, bool owns_engine);
  ~LocalManager() override;

  api::Result<std::shared_ptr<api::Job>> create_job(const std::string& display_name,
                                                    api::JobType type) override;
  api::Result<std::shared_ptr<api::Job>> get_job(const api::JobId& id) override;
  api::Result<std::vector<std::shared_ptr<api::Job>>> jobs() override;
  api::Result<std::vector<api::JobInfo>> job_infos() override;

 private:
  std::shared_ptr<Engine> engine_;
  Caller caller_;
  bool owns_engine_;
};

}  // namespace swarmcopy::engine
