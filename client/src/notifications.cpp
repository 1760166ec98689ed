#include "notifications.h"

#include <poll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

#include "event_stream.h"
#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::client {
namespace {

constexpr std::chrono::milliseconds kFirstRetryDelay{50};
constexpr std::chrono::milliseconds kMaxRetryDelay{1000};

}  // namespace

Notifications::Notifications(std::shared_ptr<DaemonRpc> rpc, bool all_users, JobFactory make_job)
    : rpc_(std::move(rpc)),
      target_(all_users ? "/v1/events?all=1" : "/v1/events"),
      make_job_(std::move(make_job)),
      stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

api::Result<void> Notifications::set(const api::JobId& job,
                                     std::shared_ptr<api::Callback> callback) {
  std::unique_lock lock(mutex_);
  if (stopped_) {
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                     "the manager is closed");
  }
  if (!callback) {
    entries_.erase(job);
    return {};
  }
  // A new callback starts afresh: it has not been told about a transfer yet.
  entries_[job] = Entry{callback, false, std::nullopt};
  if (!stop_fd_) {
    entries_.erase(job);
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal,
                     "eventfd failed: cannot run the event thread");
  }
  if (!started_) {
    started_ = true;
    notifier_ = std::make_unique<util::Notifier>();
    thread_ = std::thread([this] { run(); });
  }
  // Wait for an open stream, but no longer than one call may take; two failed attempts in a
  // row (some 50 ms apart) mean no daemon answers: say so now rather than at the timeout.
  const auto deadline = std::chrono::steady_clock::now() + rpc_->call_timeout();
  const auto first_attempt = attempts_;
  const bool open = state_changed_.wait_until(lock, deadline, [&] {
    return connected_ || stopped_ || (attempts_ >= first_attempt + 2 && last_failure_);
  });
  if (open && connected_) return {};
  entries_.erase(job);
  if (last_failure_) return std::unexpected(*last_failure_);
  return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                   "the event stream of swarmcopyd did not open in time", 0,
                   rpc_->socket().string(), api::Protocol::kLocal);
}

std::shared_ptr<api::Callback> Notifications::get(const api::JobId& job) const {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(job);
  return found == entries_.end() ? nullptr : found->second.callback;
}

void Notifications::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    entries_.clear();
  }
  state_changed_.notify_all();
  if (stop_fd_) (void)::eventfd_write(stop_fd_.get(), 1);
  if (thread_.joinable()) thread_.join();
  if (notifier_) notifier_->stop();
}

bool Notifications::wait_before_retry(std::chrono::milliseconds delay) {
  pollfd fds{stop_fd_.get(), POLLIN, 0};
  int ready = -1;
  do {
    ready = ::poll(&fds, 1, static_cast<int>(delay.count()));
  } while (ready < 0 && errno == EINTR);
  return ready == 0;  // false: stop() was called
}

void Notifications::run() {
  auto delay = kFirstRetryDelay;
  bool reconnect = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
    }
    auto stream = EventStream::open(rpc_->socket(), target_, stop_fd_.get(),
                                    std::chrono::steady_clock::now() + rpc_->call_timeout());
    {
      std::lock_guard lock(mutex_);
      ++attempts_;
      if (stream) {
        connected_ = true;
        last_failure_.reset();
      } else {
        last_failure_ = stream.error();
      }
    }
    state_changed_.notify_all();
    if (!stream) {
      spdlog::debug("event stream of {}: {}", rpc_->socket().string(), stream.error().describe());
      if (!wait_before_retry(delay)) return;
      delay = std::min(delay * 2, kMaxRetryDelay);
      continue;
    }
    delay = kFirstRetryDelay;
    if (reconnect) catch_up();
    reconnect = true;

    for (;;) {
      auto line = (*stream)->next_line();
      if (!line) {
        spdlog::debug("event stream of {}: {}", rpc_->socket().string(), line.error().describe());
        break;
      }
      auto json = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
      auto event = ipc::event_from_json(json);
      if (!event) {
        spdlog::warn("swarmcopyd sent an event this client does not understand: {}",
                     event.error().describe());
        continue;
      }
      dispatch(*event);
    }
    {
      std::lock_guard lock(mutex_);
      connected_ = false;
      if (stopped_) return;
    }
    // The daemon went away: a restart takes a moment, so the first retry is soon.
    if (!wait_before_retry(delay)) return;
  }
}

void Notifications::post(const api::JobId& id, std::function<void(api::Callback&, api::Job&)> call,
                         std::shared_ptr<api::Callback> callback) {
  // Captures the factory, not `this`: a notifier stopped from inside a callback finishes its
  // queue after this object is gone.
  notifier_->post(
      [make_job = make_job_, id, call = std::move(call), callback = std::move(callback)] {
        auto job = make_job(id);
        if (job) call(*callback, *job);
      });
}

void Notifications::dispatch(const ipc::Event& event) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(event.job);
  if (found == entries_.end()) return;
  Entry& entry = found->second;
  const auto flags = event.notify_flags;
  switch (event.type) {
    case ipc::Event::Type::kTransferred:
      if (!entry.transferred_announced && api::wants(flags, api::NotifyFlags::kJobTransferred)) {
        post(
            event.job, [](api::Callback& c, api::Job& j) { c.job_transferred(j); }, entry.callback);
      }
      entry.transferred_announced = true;
      break;
    case ipc::Event::Type::kError:
      if (!event.error) break;
      entry.last_error = event.error;
      if (api::wants(flags, api::NotifyFlags::kJobError)) {
        post(
            event.job,
            [error = *event.error](api::Callback& c, api::Job& j) { c.job_error(j, error); },
            entry.callback);
      }
      break;
    case ipc::Event::Type::kModification:
      if (api::wants(flags, api::NotifyFlags::kJobModification)) {
        post(
            event.job, [](api::Callback& c, api::Job& j) { c.job_modification(j); },
            entry.callback);
      }
      break;
    case ipc::Event::Type::kFileTransferred:
      if (event.file && api::wants(flags, api::NotifyFlags::kFileTransferred)) {
        post(
            event.job,
            [file = *event.file](api::Callback& c, api::Job& j) { c.file_transferred(j, file); },
            entry.callback);
      }
      break;
  }
}

void Notifications::catch_up() {
  std::vector<api::JobId> jobs;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, entry] : entries_) jobs.push_back(id);
  }
  for (const auto& id : jobs) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
    }
    auto json = rpc_->call(HttpRequest::Method::kGet, "/v1/jobs/" + id.to_string());
    if (!json) continue;  // gone, or the daemon went away again: the next reconnect retries
    auto info = ipc::job_info_from_json(*json);
    if (!info) continue;
    std::lock_guard lock(mutex_);
    const auto found = entries_.find(id);
    if (found == entries_.end()) continue;
    Entry& entry = found->second;
    const auto flags = info->notify_flags;
    // Whatever happened meanwhile changed the job: a listener of modifications re-reads it.
    if (api::wants(flags, api::NotifyFlags::kJobModification)) {
      post(
          id, [](api::Callback& c, api::Job& j) { c.job_modification(j); }, entry.callback);
    }
    if (info->state == api::JobState::kTransferred && !entry.transferred_announced) {
      entry.transferred_announced = true;
      if (api::wants(flags, api::NotifyFlags::kJobTransferred)) {
        post(
            id, [](api::Callback& c, api::Job& j) { c.job_transferred(j); }, entry.callback);
      }
    }
    if (info->state == api::JobState::kError && info->error && entry.last_error != info->error) {
      entry.last_error = info->error;
      if (api::wants(flags, api::NotifyFlags::kJobError)) {
        post(
            id, [error = *info->error](api::Callback& c, api::Job& j) { c.job_error(j, error); },
            entry.callback);
      }
    }
  }
}

}  // namespace swarmcopy::client
