// LocalJob: a Job handle of the embedded engine: the job's id, who acts through it, and a
// reference to the Engine.
// Every method runs on the engine thread through Engine::call (thread-safe, waits for it).
#pragma once

#include <memory>

#include "swarmcopy/api/job.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::engine {

class Engine;

class LocalJob final : public api::Job {
 public:
  LocalJob(std::shared_ptr<Engine> engine, Caller caller, api::JobId id)
      : engine_(std::move(engine)), caller_(caller), id_(id) {}

  api::JobId id() const override { return id_; }
  api::Result<void> add_file(const api::FileSpec& file) override;
  api::Result<void> add_file_set(std::span<const api::FileSpec> files) override;
  api::Result<void> resume() override;
  api::Result<void> suspend() override;
  api::Result<void> cancel() override;
  api::Result<void> complete() override;
  api::Result<void> take_ownership() override;
  api::Result<api::JobInfo> info() override;
  api::Result<std::vector<api::FileStatus>> files() override;
  api::Result<std::vector<api::FileExplanation>> explain() override;
  api::Result<std::string> display_name() override;
  api::Result<api::JobType> type() override;
  api::Result<api::JobState> state() override;
  api::Result<api::Progress> progress() override;
  api::Result<api::JobTimes> times() override;
  api::Result<std::optional<api::Error>> error() override;
  api::Result<api::Priority> priority() override;
  api::Result<std::chrono::seconds> no_progress_timeout() override;
  api::Result<api::NotifyFlags> notify_flags() override;
  api::Result<std::shared_ptr<api::Callback>> notify_interface() override;
  api::Result<void> set_notify_interface(std::shared_ptr<api::Callback> callback) override;
  api::Result<void> update(const api::JobPatch& patch) override;

 private:
  // One field of info(), for the single-value getters.
  template <class F>
  auto from_info(F&& pick) -> api::Result<decltype(pick(std::declval<const api::JobInfo&>()))>;

  std::shared_ptr<Engine> engine_;
  Caller caller_;
  api::JobId id_;
};

}  // namespace swarmcopy::engine
