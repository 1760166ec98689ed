#include "remote_job.h"

#include "swarmcopy/ipc/codec.h"
#include "swarmcopy/ipc/explanation.h"
#include "swarmcopy/ipc/job_patch.h"

namespace swarmcopy::client {

using Method = HttpRequest::Method;

template <class F>
auto RemoteJob::from_info(F&& pick)
    -> api::Result<decltype(pick(std::declval<const api::JobInfo&>()))> {
  auto info = context_->job_info(id_);
  if (!info) return std::unexpected(info.error());
  return pick(*info);
}

api::Result<void> RemoteJob::act(const char* verb) {
  auto answer = context_->call(Method::kPost, job_target(id_, std::string("/") + verb));
  if (!answer) return std::unexpected(answer.error());
  return {};
}

// One PATCH /v1/jobs/{id}: the daemon applies it whole or not at all.
api::Result<void> RemoteJob::update(const api::JobPatch& patch) {
  auto answer = context_->call(Method::kPatch, job_target(id_), ipc::to_json(patch));
  if (!answer) return std::unexpected(answer.error());
  return {};
}

api::Result<void> RemoteJob::add_file(const api::FileSpec& file) {
  return add_file_set(std::span<const api::FileSpec>(&file, 1));
}

api::Result<void> RemoteJob::add_file_set(std::span<const api::FileSpec> files) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& file : files) list.push_back(ipc::to_json(file));
  auto answer =
      context_->call(Method::kPost, job_target(id_, "/files"), nlohmann::json{{"files", list}});
  if (!answer) return std::unexpected(answer.error());
  return {};
}

api::Result<void> RemoteJob::resume() { return act("resume"); }
api::Result<void> RemoteJob::take_ownership() { return act("take-ownership"); }
api::Result<void> RemoteJob::suspend() { return act("suspend"); }
api::Result<void> RemoteJob::cancel() { return act("cancel"); }
api::Result<void> RemoteJob::complete() { return act("complete"); }

api::Result<api::JobInfo> RemoteJob::info() { return context_->job_info(id_); }

api::Result<std::vector<api::FileExplanation>> RemoteJob::explain() {
  auto answer = context_->call(Method::kGet, job_target(id_, "/explain"));
  if (!answer) return std::unexpected(answer.error());
  return ipc::explanations_from_json(*answer);
}

api::Result<std::vector<api::FileStatus>> RemoteJob::files() {
  return from_info([](const api::JobInfo& i) { return i.files; });
}
api::Result<std::string> RemoteJob::display_name() {
  return from_info([](const api::JobInfo& i) { return i.display_name; });
}
api::Result<api::JobType> RemoteJob::type() {
  return from_info([](const api::JobInfo& i) { return i.type; });
}
api::Result<api::JobState> RemoteJob::state() {
  return from_info([](const api::JobInfo& i) { return i.state; });
}
api::Result<api::Progress> RemoteJob::progress() {
  return from_info([](const api::JobInfo& i) { return i.progress; });
}
api::Result<api::JobTimes> RemoteJob::times() {
  return from_info([](const api::JobInfo& i) { return i.times; });
}
api::Result<std::optional<api::Error>> RemoteJob::error() {
  return from_info([](const api::JobInfo& i) { return i.error; });
}
api::Result<api::Priority> RemoteJob::priority() {
  return from_info([](const api::JobInfo& i) { return i.priority; });
}
api::Result<std::chrono::seconds> RemoteJob::no_progress_timeout() {
  return from_info([](const api::JobInfo& i) { return i.no_progress_timeout; });
}
api::Result<api::NotifyFlags> RemoteJob::notify_flags() {
  return from_info([](const api::JobInfo& i) { return i.notify_flags; });
}

api::Result<std::shared_ptr<api::Callback>> RemoteJob::notify_interface() {
  // As the engine: an unknown job is an error, not "no callback".
  auto info = context_->job_info(id_);
  if (!info) return std::unexpected(info.error());
  return context_->notifications().get(id_);
}

api::Result<void> RemoteJob::set_notify_interface(std::shared_ptr<api::Callback> callback) {
  // The callback lives on this side, but the rules are the engine's: the job must exist and
  // must not be final.
  auto info = context_->job_info(id_);
  if (!info) return std::unexpected(info.error());
  if (api::is_final(info->state)) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kJobIsFinal,
                     "job is final (" + std::string(api::to_string(info->state)) + ")");
  }
  return context_->notifications().set(id_, std::move(callback));
}

}  // namespace swarmcopy::client
