#include "local_job.h"

#include "engine.h"

namespace swarmcopy::engine {

template <class F>
auto LocalJob::from_info(F&& pick)
    -> api::Result<decltype(pick(std::declval<const api::JobInfo&>()))> {
  auto info = engine_->call([&] { return engine_->info(caller_, id_); });
  if (!info) return std::unexpected(info.error());
  return pick(*info);
}

api::Result<void> LocalJob::add_file(const api::FileSpec& file) {
  return add_file_set(std::span<const api::FileSpec>(&file, 1));
}
api::Result<void> LocalJob::add_file_set(std::span<const api::FileSpec> files) {
  return engine_->call([&] { return engine_->add_files(caller_, id_, files); });
}
api::Result<void> LocalJob::take_ownership() {
  return engine_->call([&] { return engine_->take_ownership(caller_, id_); });
}

api::Result<void> LocalJob::resume() {
  return engine_->call([&] { return engine_->resume(caller_, id_); });
}
api::Result<void> LocalJob::suspend() {
  return engine_->call([&] { return engine_->suspend(caller_, id_); });
}
api::Result<void> LocalJob::cancel() {
  return engine_->call([&] { return engine_->cancel(caller_, id_); });
}
api::Result<void> LocalJob::complete() { return engine_->complete(caller_, id_); }
api::Result<api::JobInfo> LocalJob::info() {
  return engine_->call([&] { return engine_->info(caller_, id_); });
}
api::Result<std::vector<api::FileExplanation>> LocalJob::explain() {
  return engine_->call([&] { return engine_->explain(caller_, id_); });
}
api::Result<std::vector<api::FileStatus>> LocalJob::files() {
  return from_info([](const api::JobInfo& i) { return i.files; });
}
api::Result<std::string> LocalJob::display_name() {
  return from_info([](const api::JobInfo& i) { return i.display_name; });
}
api::Result<api::JobType> LocalJob::type() {
  return from_info([](const api::JobInfo& i) { return i.type; });
}
api::Result<api::JobState> LocalJob::state() {
  return from_info([](const api::JobInfo& i) { return i.state; });
}
api::Result<api::Progress> LocalJob::progress() {
  return from_info([](const api::JobInfo& i) { return i.progress; });
}
api::Result<api::JobTimes> LocalJob::times() {
  return from_info([](const api::JobInfo& i) { return i.times; });
}
api::Result<std::optional<api::Error>> LocalJob::error() {
  return from_info([](const api::JobInfo& i) { return i.error; });
}
api::Result<api::Priority> LocalJob::priority() {
  return from_info([](const api::JobInfo& i) { return i.priority; });
}
api::Result<std::chrono::seconds> LocalJob::no_progress_timeout() {
  return from_info([](const api::JobInfo& i) { return i.no_progress_timeout; });
}
api::Result<api::NotifyFlags> LocalJob::notify_flags() {
  return from_info([](const api::JobInfo& i) { return i.notify_flags; });
}
api::Result<std::shared_ptr<api::Callback>> LocalJob::notify_interface() {
  return engine_->call([&] { return engine_->callback(caller_, id_); });
}
api::Result<void> LocalJob::set_notify_interface(std::shared_ptr<api::Callback> callback) {
  return engine_->call([&] { return engine_->set_callback(caller_, id_, std::move(callback)); });
}

api::Result<void> LocalJob::update(const api::JobPatch& patch) {
  return engine_->call([&] { return engine_->update(caller_, id_, patch); });
}

}  // namespace swarmcopy::engine
