// engine_worker: a child process for the crash test. Runs the embedded engine on one job
// (found again by URL and destination, or created), waits for TRANSFERRED, completes it.
// Usage: engine_worker STATE_DIR URL DEST. Exit 0 when ACKNOWLEDGED, 2 on a job error.
#include <condition_variable>
#include <cstdio>
#include <mutex>

#include "loopback/loopback_peers.h"
#include "swarmcopy/engine/local_manager.h"

namespace {

using namespace swarmcopy;

class Wake : public api::Callback {
 public:
  void job_transferred(api::Job&) override { signal(); }
  void job_error(api::Job&, const api::Error&) override { signal(); }
  void job_modification(api::Job&) override { signal(); }
  void wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [this] { return woken_; });
    woken_ = false;
  }

 private:
  void signal() {
    std::lock_guard lock(mutex_);
    woken_ = true;
    cv_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
};

std::shared_ptr<api::Job> find_or_create(api::Manager& manager, const std::string& url,
                                         const std::string& dest) {
  auto jobs = manager.jobs();
  if (!jobs) return nullptr;
  for (const auto& job : *jobs) {
    auto info = job->info();
    if (info && !api::is_final(info->state) && info->files.size() == 1 &&
        info->files[0].url == url && info->files[0].local_path == dest) {
      return job;
    }
  }
  auto job = manager.create_job("crash test");
  if (!job || !(*job)->add_file({url, dest, std::nullopt})) return nullptr;
  return *job;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: engine_worker STATE_DIR URL DEST\n");
    return 1;
  }
  engine::EngineOptions options;
  options.checkpoint_interval = std::chrono::milliseconds(100);
  options.min_retry_delay = std::chrono::milliseconds(100);
  swarmcopy::test::keep_peers_on_loopback(options.peer);
  auto manager = engine::open_local(argv[1], options);
  if (!manager) {
    std::fprintf(stderr, "engine_worker: %s\n", manager.error().describe().c_str());
    return 2;
  }
  auto job = find_or_create(**manager, argv[2], argv[3]);
  if (!job) return 2;
  auto wake = std::make_shared<Wake>();
  (void)job->set_notify_flags(api::NotifyFlags::kJobTransferred | api::NotifyFlags::kJobError |
                              api::NotifyFlags::kJobModification);
  (void)job->set_notify_interface(wake);
  (void)job->set_priority(api::Priority::kForeground);
  // A job left TRANSFERRED by an earlier run only needs its Complete.
  if (job->state() != api::JobState::kTransferred && !job->resume()) return 2;
  for (int round = 0; round < 6000; ++round) {  // bounded: 10 minutes at most
    const auto state = job->state();
    if (!state || *state == api::JobState::kError) return 2;
    if (*state == api::JobState::kTransferred) return job->complete() ? 0 : 2;
    wake->wait(std::chrono::milliseconds(100));
  }
  return 2;
}
