// Engine: the embedded job engine behind LocalManager. It owns the engine thread (one
// boost::asio::io_context: every job's state lives there, so no locks guard it), the job
// store, the HTTP client, the blocking pool (fsync, hashing) and the notification thread.
//
// Threads: call() may be used from any thread; it runs the function on the engine thread and
// waits for it (inline when already there). Every other member function is engine-thread only.
// After shutdown() every call() answers kUnavailable.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "file_ops.h"
#include "file_transfer.h"
#include "job_record.h"
#include "job_store.h"
#include "notify_command.h"
#include "state_dir_lock.h"
#include "swarm/swarm_hub.h"
#include "swarmcopy/api/callback.h"
#include "swarmcopy/api/file_spec.h"
#include "swarmcopy/api/job.h"
#include "swarmcopy/api/job_info.h"
#include "swarmcopy/engine/engine_options.h"
#include "swarmcopy/engine/service.h"
#include "swarmcopy/origin/http_client.h"
#include "swarmcopy/util/notifier.h"
#include "traffic_rules.h"

namespace swarmcopy::engine {

class Engine : public std::enable_shared_from_this<Engine> {
 public:
  static api::Result<std::shared_ptr<Engine>> open(const std::filesystem::path& state_dir,
                                                   const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Stops the engine: running transfers sync what they wrote and stop (their jobs stay active in
  // the store and resume at the next open), queued notifications are delivered, threads joined.
  void shutdown();

  template <class F>
  auto call(F&& fn) -> decltype(fn());
  // Runs `fn` on the blocking pool and waits for it. Not for the engine thread: it would wait.
  template <class F>
  auto run_blocking(F&& fn) -> decltype(fn());

  // Any thread but the engine thread (it waits for both): moves the job's files into place.
  api::Result<void> complete(const Caller& caller, const api::JobId& id);

  // The content cache, null when disabled. Any thread: the pointer is fixed at construction and
  // the store, thread-safe itself, lives as long as the Engine (shutdown() keeps it).
  cache::ContentStore* content_store() const { return cache_.get(); }

  // ---- engine thread only ----
  // Every call acts for `caller`: only the caller's own jobs exist for it, unless admin.
  api::Result<api::JobId> create_job(const Caller& caller, const std::string& display_name,
                                     api::JobType type);
  api::Result<void> find_job(const Caller& caller, const api::JobId& id);
  std::vector<api::JobId> list_jobs(const Caller& caller);
  std::size_t job_count(std::optional<std::uint32_t> owner_uid) const;
  // Content is being seeded to peers after its jobs let go of it (EngineOptions::seed_time).
  bool seeding() const;
  NetworkTally network_tally() const;
  // See Service::apply_policy.
  void apply_policy(const EngineOptions& options);
  api::Result<FileReady> file_ready(const Caller& caller, const api::JobId& id,
                                    std::uint32_t index);
  api::Result<void> add_files(const Caller& caller, const api::JobId& id,
                              std::span<const api::FileSpec> files);
  api::Result<void> resume(const Caller& caller, const api::JobId& id);
  api::Result<void> suspend(const Caller& caller, const api::JobId& id);
  api::Result<void> cancel(const Caller& caller, const api::JobId& id);
  // TakeOwnership (api::Job::take_ownership): only an administrator reaches another's job.
  api::Result<void> take_ownership(const Caller& caller, const api::JobId& id);
  api::Result<api::JobInfo> info(const Caller& caller, const api::JobId& id);
  // Per file, in the job's order: why its bytes came from where they came (`job explain`).
  api::Result<std::vector<api::FileExplanation>> explain(const Caller& caller,
                                                         const api::JobId& id);
  // Every setting the patch names, checked first, then committed at once (api::Job::update).
  api::Result<void> update(const Caller& caller, const api::JobId& id, const api::JobPatch& patch);
  api::Result<void> set_callback(const Caller& caller, const api::JobId& id,
                                 std::shared_ptr<api::Callback> callback);
  api::Result<std::shared_ptr<api::Callback>> callback(const Caller& caller, const api::JobId& id);
  void set_observer(EventObserver observer);

 private:
  struct JobRun {
    std::uint64_t token = 0;
    std::unique_ptr<FileTransfer> transfer;
  };
  struct JobEntry {
    JobRecord record;
    std::shared_ptr<api::Callback> callback;
    std::optional<JobRun> run;
    std::uint64_t queue_seq = 0;
    std::chrono::steady_clock::time_point running_since{};
    std::unique_ptr<boost::asio::steady_timer> retry_timer;
    std::chrono::steady_clock::time_point retry_at{};  // when a TRANSIENT_ERROR job retries
    bool completing = false;  // its files are being moved into place: no other change meanwhile
  };
  struct CompletePlan {
    std::uint32_t owner_uid = 0;
    std::uint32_t owner_gid = 0;
    std::vector<PendingMove> moves;
    std::vector<std::optional<std::uint64_t>> sizes;  // of each temporary file, as transferred
  };
  enum class Event { kTransferred, kError, kModification };

  Engine(const std::filesystem::path& state_dir, const EngineOptions& options, StateDirLock lock,
         std::unique_ptr<JobStore> store, std::unique_ptr<cache::ContentStore> cache);
  api::Result<void> load();
  void recover(JobEntry& entry);
  void purge_final_jobs();
  void run_thread();
  void stop_on_engine_thread();

  api::Result<CompletePlan> begin_complete(const Caller& caller, const api::JobId& id);
  static api::Result<void> move_into_place(const CompletePlan& plan);
  api::Result<void> end_complete(const api::JobId& id, api::Result<void> moved);

  api::Result<JobEntry*> lookup(const Caller& caller, const api::JobId& id);
  // Also rejects final jobs.
  api::Result<JobEntry*> lookup_mutable(const Caller& caller, const api::JobId& id);
  api::Result<void> save(JobEntry& entry, const JobRecord& changed);
  void save_logged(JobEntry& entry);
  void set_state(JobEntry& entry, api::JobState state, std::optional<api::Error> error = {});
  void touch(JobRecord& record);

  void request_schedule();
  void schedule();
  void start_run(JobEntry& entry);
  void run_next_file(JobEntry& entry);
  void stop_run(JobEntry& entry);
  // EngineOptions::local_origin_uids.
  bool may_fetch_locally(std::uint32_t uid) const;
  void on_file_done(const api::JobId& id, std::uint64_t token, std::size_t index,
                    FileOutcome outcome);
  void on_persist(const api::JobId& id, std::uint64_t token, const FileRecord& file);
  void on_data_flowing(const api::JobId& id, std::uint64_t token);
  void handle_failure(JobEntry& entry, origin::FetchError failure);
  void arm_retry(JobEntry& entry, std::chrono::steady_clock::time_point when);
  void on_retry_timer(const api::JobId& id);
  void cancel_retry(JobEntry& entry);

  void notify(JobEntry& entry, Event event);
  // The job's notify command (SetNotifyCmdLine), on reaching TRANSFERRED or ERROR.
  void run_notify_command(JobEntry& entry);
  void notify_file(JobEntry& entry, const FileRecord& file);
  void observe(JobEvent event);
  std::shared_ptr<api::Job> handle(const JobRecord& record);
  api::FileStatus file_status(const JobEntry& entry, const FileRecord& file) const;

  static api::Error unavailable();

  std::filesystem::path state_dir_;
  EngineOptions options_;
  StateDirLock lock_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<cache::ContentStore> cache_;  // null when disabled

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::thread_pool pool_{2};
  std::unique_ptr<origin::HttpClient> http_;
  // The peer session and its swarms, opened when the first file with metadata needs it.
  std::unique_ptr<swarm::SwarmHub> hub_;
  api::Result<swarm::SwarmHub*> swarm_hub();
  // Opens it at start when the cache holds swarm items an earlier run used within seed_time.
  void resume_seeding();
  std::unique_ptr<util::Notifier> notifier_;
  std::unique_ptr<NotifyCommands> notify_commands_;
  std::unique_ptr<boost::asio::steady_timer> review_timer_;
  std::unique_ptr<boost::asio::steady_timer> purge_timer_;
  // The download caps and the monthly upload cap (made at load, when the store is read).
  std::unique_ptr<TrafficRules> traffic_;
  EventObserver observer_;

  std::map<api::JobId, JobEntry> jobs_;
  std::uint64_t next_queue_seq_ = 1;
  std::uint64_t next_run_token_ = 1;
  bool schedule_pending_ = false;
  bool stopping_ = false;

  std::mutex call_mutex_;  // guards accepting_ against shutdown
  bool accepting_ = true;
  std::thread thread_;
  std::thread::id thread_id_;
};

template <class F>
auto Engine::call(F&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  if (std::this_thread::get_id() == thread_id_) return fn();
  std::promise<R> promise;
  auto future = promise.get_future();
  {
    // Holding the lock while posting orders this call before shutdown's stop work, so every
    // call that is accepted also runs.
    std::lock_guard lock(call_mutex_);
    if (!accepting_) return std::unexpected(unavailable());
    boost::asio::post(io_, [&promise, &fn] { promise.set_value(fn()); });
  }
  return future.get();
}

template <class F>
auto Engine::run_blocking(F&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  std::promise<R> promise;
  auto future = promise.get_future();
  boost::asio::post(pool_, [&promise, &fn] { promise.set_value(fn()); });
  return future.get();
}

}  // namespace swarmcopy::engine
