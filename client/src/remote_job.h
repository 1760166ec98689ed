// RemoteJob: a Job handle of the daemon client: the job's id and the shared RemoteContext.
// Each method is one daemon call (getters read the whole job: GET /v1/jobs/{id}); callbacks
// are kept on this side, in the context, shared by every handle of the job. Thread-safe.
#pragma once

#include <memory>

#include "remote_context.h"
#include "swarmcopy/api/job.h"

namespace swarmcopy::client {

class RemoteJob final : public api::Job {
 public:
  RemoteJob(std::shared_ptr<RemoteContext> context, api::JobId id)
      : context_(std::move(context)), id_(id) {}

  api::JobId id() const override { return id_; }
  api::Result<void> add_file(const api::FileSpec& file) override;
  api::Result<void> add_file_set(std::span<const api::FileSpec> files) override;
  api::Result<void> resume() override;
  api::Result<void> take_ownership() override;
  api::Result<void> suspend() override;
  api::Result<void> cancel() override;
  api::Result<void> complete() override;
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
  // POST /v1/jobs/{id}/{verb}.
  api::Result<void> act(const char* verb);
  // One field of info(), for the single-value getters.
  template <class F>
  auto from_info(F&& pick) -> api::Result<decltype(pick(std::declval<const api::JobInfo&>()))>;

  std::shared_ptr<RemoteContext> context_;
  api::JobId id_;
};

}  // namespace swarmcopy::client
