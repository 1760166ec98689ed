#include "engine.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <limits>
#include <set>

#include "file_ops.h"
#include "fs_credentials.h"
#include "input_checks.h"
#include "local_job.h"
#include "notify_command.h"
#include "proxy_route.h"
#include "received_bytes.h"
#include "retry_delay.h"
#include "scheduler.h"
#include "url.h"

namespace swarmcopy::engine {
namespace {

using api::ErrorContext;
using api::ErrorKind;
using api::JobState;
using SteadyClock = std::chrono::steady_clock;

std::unexpected<api::Error> caller_error(ErrorKind kind, std::string message) {
  return api::fail(ErrorContext::kCaller, kind, std::move(message));
}

std::unexpected<api::Error> job_is_final(const JobRecord& record) {
  return caller_error(ErrorKind::kJobIsFinal,
                      "job is final (" + std::string(api::to_string(record.state)) + ")");
}

bool is_running_state(JobState state) {
  return state == JobState::kConnecting || state == JobState::kTransferring;
}

// The error a job ends with when its transient errors outlast the no-progress timeout: the last
// failure, with how long the job went without progress.
api::Error no_progress_error(const JobRecord& record, api::Error last) {
  const auto waited =
      std::chrono::duration_cast<std::chrono::seconds>(api::Clock::now() - record.transient_since);
  last.message = "no progress for " + std::to_string(waited.count()) + " s (no-progress timeout " +
                 std::to_string(record.no_progress_timeout.count()) +
                 " s); last error: " + last.message;
  return last;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

api::Error Engine::unavailable() {
  return api::Error{ErrorContext::kGeneralQueueManager,
                    ErrorKind::kUnavailable,
                    0,
                    "the engine has shut down",
                    {},
                    api::Protocol::kNone};
}

// ---------------------------------------------------------------- life cycle

api::Result<std::shared_ptr<Engine>> Engine::open(const std::filesystem::path& state_dir,
                                                  const EngineOptions& options) {
  auto lock = StateDirLock::acquire(state_dir, options.served_socket);
  if (!lock) return std::unexpected(lock.error());
  auto store = JobStore::open(state_dir / "jobs.sqlite");
  if (!store) return std::unexpected(store.error());
  std::unique_ptr<cache::ContentStore> content;
  if (options.cache_enabled) {
    const auto cache_dir = options.cache_dir.empty() ? state_dir / "cache" : options.cache_dir;
    auto opened = cache::ContentStore::open(cache_dir, options.cache_limits);
    if (!opened) return std::unexpected(opened.error());
    content = std::move(*opened);
    if (!options.cache_list_dir.empty()) {
      // Sharing is an optimisation: without it every home fetches for itself, as before.
      auto siblings = cache::SiblingCaches::join(options.cache_list_dir, cache_dir);
      if (siblings) {
        content->share_with(std::move(*siblings));
      } else {
        spdlog::warn("this cache shares with no other: {}", siblings.error().describe());
      }
    }
  }
  std::shared_ptr<Engine> engine(
      new Engine(state_dir, options, std::move(*lock), std::move(*store), std::move(content)));
  // Loading runs on the engine thread like everything else that touches jobs.
  auto loaded = engine->call([&] { return engine->load(); });
  if (!loaded) {
    engine->shutdown();
    return std::unexpected(loaded.error());
  }
  return engine;
}

Engine::Engine(const std::filesystem::path& state_dir, const EngineOptions& options,
               StateDirLock lock, std::unique_ptr<JobStore> store,
               std::unique_ptr<cache::ContentStore> cache)
    : state_dir_(state_dir),
      options_(options),
      lock_(std::move(lock)),
      store_(std::move(store)),
      cache_(std::move(cache)),
      work_(boost::asio::make_work_guard(io_)) {
  origin::HttpClient::Options http_options;
  http_options.connect_timeout = options_.connect_timeout;
  http_options.stall_timeout = options_.stall_timeout;
  http_options.user_agent = options_.user_agent;
  http_options.extra_ca = options_.extra_ca;
  http_ = std::make_unique<origin::HttpClient>(io_, http_options);
  notify_commands_ = std::make_unique<NotifyCommands>(io_, options_.notify_command_timeout);
  notifier_ = std::make_unique<util::Notifier>();
  review_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  purge_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  std::promise<void> started;
  thread_ = std::thread([this, &started] {
    thread_id_ = std::this_thread::get_id();
    started.set_value();
    run_thread();
  });
  started.get_future().wait();
}

Engine::~Engine() { shutdown(); }

void Engine::run_thread() {
  for (;;) {
    try {
      io_.run();
      return;
    } catch (const std::exception& e) {
      // A bug in a handler; the engine keeps serving the other jobs.
      spdlog::critical("engine thread: unexpected exception: {}", e.what());
    }
  }
}

void Engine::shutdown() {
  {
    std::lock_guard lock(call_mutex_);
    if (!accepting_) return;
    accepting_ = false;
  }
  boost::asio::post(io_, [this] { stop_on_engine_thread(); });
  thread_.join();
  pool_.join();
  notifier_.reset();  // delivers what is queued; their calls now answer kUnavailable
}

void Engine::stop_on_engine_thread() {
  stopping_ = true;
  for (auto& [id, entry] : jobs_) {
    // The job keeps its active state in the store: it resumes at the next open.
    if (entry.run) {
      entry.run->transfer->stop();
      entry.run.reset();
    }
    if (entry.retry_timer) entry.retry_timer->cancel();
  }
  review_timer_->cancel();
  purge_timer_->cancel();
  if (traffic_) traffic_->stop();  // counts the last uploads before the session goes
  hub_.reset();                    // after every transfer let go of its swarm
  notify_commands_.reset();        // kills and reaps what still runs: no zombie outlives the engine
  http_.reset();
  work_.reset();
}

api::Result<void> Engine::load() {
  auto records = store_->load_all();
  if (!records) return std::unexpected(records.error());
  for (auto& record : *records) {
    auto [it, inserted] = jobs_.emplace(record.id, JobEntry{});
    it->second.record = std::move(record);
    it->second.queue_seq = next_queue_seq_++;
    recover(it->second);
  }
  traffic_ = std::make_unique<TrafficRules>(io_, *store_, options_, [this] { return hub_.get(); });
  purge_final_jobs();
  request_schedule();
  resume_seeding();
  return {};
}

// ACKNOWLEDGED and CANCELLED jobs past their retention leave the store, and the cache is pruned;
// a service that runs for weeks does this every hour, not only when it starts.
void Engine::purge_final_jobs() {
  const auto purge_before = api::Clock::now() - options_.final_job_retention;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const auto& record = it->second.record;
    if (!api::is_final(record.state) || record.times.modification_time >= purge_before) {
      ++it;
      continue;
    }
    if (auto deleted = store_->delete_job(record.id); !deleted) {
      spdlog::error("cannot purge job {}: {}", record.id.to_string(), deleted.error().message);
      ++it;
      continue;
    }
    it = jobs_.erase(it);
  }
  if (cache_) {
    // The cache's age limit holds between downloads too, and items added unsynced an hour ago
    // are settled (an fsync with nothing left to write): after a crash they need no check.
    boost::asio::post(pool_, [cache = cache_.get()] {
      if (auto pruned = cache->prune(); !pruned) {
        spdlog::warn("cannot prune the content cache: {}", pruned.error().describe());
      }
    });
  }
  purge_timer_->expires_after(options_.purge_interval);
  purge_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopping_) purge_final_jobs();
  });
}

// Brings a job loaded from the store back to a state the contract allows after a restart.
void Engine::recover(JobEntry& entry) {
  auto& record = entry.record;
  bool changed = false;
  if (record.state == JobState::kCancelled) {
    // A crash between the state change and the deletions leaves temporary files behind.
    ScopedFsCredentials as_owner(record.owner_uid, record.owner_gid);
    for (const auto& file : record.files) (void)remove_file(file.temp_path);
    return;
  }
  if (record.state == JobState::kTransferred) {
    for (auto& file : record.files) {
      const bool intact = file_exists(file.temp_path);
      if (!intact) {
        spdlog::warn("job {}: temporary file {} is gone; downloading it again",
                     record.id.to_string(), file.temp_path);
        file.completed = false;
        file.verified.clear();
        (void)store_->update_file(record.id, file);
        record.state = JobState::kQueued;
        changed = true;
      }
    }
  }
  if (is_running_state(record.state) || record.state == JobState::kTransientError) {
    // Transfers were interrupted; retry now (the no-progress clock keeps running).
    record.state = JobState::kQueued;
    changed = true;
  }
  if (changed) save_logged(entry);
}

// ---------------------------------------------------------------- helpers

api::Result<Engine::JobEntry*> Engine::lookup(const Caller& caller, const api::JobId& id) {
  auto it = jobs_.find(id);
  // Another user's job answers exactly like an unknown one: its existence is not revealed.
  if (it == jobs_.end() || (!caller.admin && it->second.record.owner_uid != caller.uid)) {
    return api::fail(ErrorContext::kCaller, ErrorKind::kNotFound, "no such job: " + id.to_string());
  }
  return &it->second;
}

api::Result<Engine::JobEntry*> Engine::lookup_mutable(const Caller& caller, const api::JobId& id) {
  auto entry = lookup(caller, id);
  if (!entry) return entry;
  if (api::is_final((*entry)->record.state)) return job_is_final((*entry)->record);
  if ((*entry)->completing) {
    return caller_error(ErrorKind::kInvalidState, "job is being completed");
  }
  return entry;
}

void Engine::touch(JobRecord& record) { record.times.modification_time = api::Clock::now(); }

// Commits `changed` as the job's new record, then adopts it: memory never runs ahead of disk.
api::Result<void> Engine::save(JobEntry& entry, const JobRecord& changed) {
  if (auto saved = store_->update_job(changed); !saved) return saved;
  entry.record = changed;
  return {};
}

void Engine::save_logged(JobEntry& entry) {
  if (auto saved = store_->update_job(entry.record); !saved) {
    spdlog::error("job {}: cannot save: {}", entry.record.id.to_string(), saved.error().message);
  }
}

void Engine::set_state(JobEntry& entry, JobState state, std::optional<api::Error> error) {
  auto& record = entry.record;
  if (state == JobState::kError) {
    // A temporary file with nothing verified in it is worth nothing to a later resume: leave no
    // trace beside the destination. One with verified bytes is kept for Resume.
    ScopedFsCredentials as_owner(record.owner_uid, record.owner_gid);
    for (const auto& file : record.files) {
      if (!file.completed && file.verified.empty()) (void)remove_file(file.temp_path);
    }
  }
  record.state = state;
  record.error = std::move(error);
  touch(record);
  if (state == JobState::kTransferred) record.times.transfer_completion_time = api::Clock::now();
  save_logged(entry);
  notify(entry, Event::kModification);
  if (state == JobState::kTransferred) notify(entry, Event::kTransferred);
  if (state == JobState::kError) notify(entry, Event::kError);
  if (state == JobState::kTransferred || state == JobState::kError) run_notify_command(entry);
}

void Engine::run_notify_command(JobEntry& entry) {
  auto& record = entry.record;
  if (record.notify_cmd.empty() || stopping_) return;
  // Cleared while it runs: a status shown is always of the latest run.
  if (record.notify_cmd_status) {
    record.notify_cmd_status.reset();
    save_logged(entry);
  }
  NotifyLaunch launch{record.notify_cmd, record.owner_uid, record.owner_gid, record.id.to_string(),
                      std::string(api::to_string(record.state))};
  const api::JobId id = record.id;
  auto started = notify_commands_->start(launch, [this, id](int status) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;  // purged meanwhile
    spdlog::info("job {}: notify command ended with status {}", id.to_string(), status);
    it->second.record.notify_cmd_status = status;
    save_logged(it->second);
  });
  if (!started) {
    spdlog::warn("job {}: {}", id.to_string(), started.error().describe());
    record.notify_cmd_status = 127;
    save_logged(entry);
  }
}

// ---------------------------------------------------------------- API operations

api::Result<api::JobId> Engine::create_job(const Caller& caller, const std::string& display_name,
                                           api::JobType type) {
  if (jobs_.size() >= options_.max_jobs) {
    return caller_error(ErrorKind::kLimitExceeded,
                        "too many jobs (limit " + std::to_string(options_.max_jobs) + ")");
  }
  if (job_count(caller.uid) >= options_.max_jobs_per_user) {
    return caller_error(
        ErrorKind::kLimitExceeded,
        "too many jobs for this user (limit " + std::to_string(options_.max_jobs_per_user) + ")");
  }
  if (auto checked = check_display_name(display_name); !checked) {
    return std::unexpected(checked.error());
  }
  JobRecord record;
  record.id = api::JobId::generate();
  record.owner_uid = caller.uid;
  record.owner_gid = caller.gid;
  if (caller.umask) record.file_mode = 0666 & ~*caller.umask;
  record.display_name = display_name;
  record.type = type;
  record.state = JobState::kSuspended;
  record.no_progress_timeout = options_.default_no_progress_timeout;
  record.times.creation_time = record.times.modification_time = api::Clock::now();
  if (auto inserted = store_->insert_job(record); !inserted)
    return std::unexpected(inserted.error());
  auto& entry = jobs_[record.id];
  entry.record = record;
  entry.queue_seq = next_queue_seq_++;
  return record.id;
}

api::Result<void> Engine::find_job(const Caller& caller, const api::JobId& id) {
  auto entry = lookup(caller, id);
  if (!entry) return std::unexpected(entry.error());
  return {};
}

std::vector<api::JobId> Engine::list_jobs(const Caller& caller) {
  std::vector<const JobRecord*> mine;
  for (const auto& [id, entry] : jobs_) {
    if (caller.admin || entry.record.owner_uid == caller.uid) mine.push_back(&entry.record);
  }
  std::stable_sort(mine.begin(), mine.end(), [](const auto* a, const auto* b) {
    return a->times.creation_time < b->times.creation_time;
  });
  std::vector<api::JobId> ids;
  for (const auto* record : mine) ids.push_back(record->id);
  return ids;
}

std::size_t Engine::job_count(std::optional<std::uint32_t> owner_uid) const {
  if (!owner_uid) return jobs_.size();
  return static_cast<std::size_t>(std::count_if(jobs_.begin(), jobs_.end(), [&](const auto& job) {
    return job.second.record.owner_uid == *owner_uid;
  }));
}

bool Engine::seeding() const { return hub_ && hub_->seeding(); }

void Engine::apply_policy(const EngineOptions& options) {
  // Transfers read options_ on this thread when they decide: the next decision sees it.
  copy_running_policy(options, options_);
  if (hub_) hub_->apply_policy(options);
  if (traffic_) traffic_->apply();
}

NetworkTally Engine::network_tally() const {
  NetworkTally tally;
  if (http_) {
    tally.origin_requests = http_->tally().ended;
    tally.origin_failures = http_->tally().failed;
  }
  if (hub_) tally.peers_banned = hub_->peers_banned();
  return tally;
}

void Engine::set_observer(EventObserver observer) { observer_ = std::move(observer); }

api::Result<void> Engine::add_files(const Caller& caller, const api::JobId& id,
                                    std::span<const api::FileSpec> specs) {
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  JobEntry& entry = **found;
  if (entry.record.state == JobState::kTransferred) {
    return caller_error(ErrorKind::kInvalidState,
                        "job is already transferred: complete or cancel it");
  }
  if (specs.empty()) return caller_error(ErrorKind::kInvalidArgument, "no files given");
  if (entry.record.files.size() + specs.size() > options_.max_files_per_job) {
    return caller_error(
        ErrorKind::kLimitExceeded,
        "too many files in one job (limit " + std::to_string(options_.max_files_per_job) + ")");
  }
  std::set<std::string> destinations;
  for (const auto& file : entry.record.files) destinations.insert(file.local_path);
  std::vector<FileRecord> added;
  for (const auto& spec : specs) {
    if (auto url = check_url(spec.url); !url) return std::unexpected(url.error());
    // Checked as the job's owner: the owner must be able to write there, not just this process.
    ScopedFsCredentials as_owner(entry.record.owner_uid, entry.record.owner_gid);
    if (auto dest = check_destination(spec.local_path); !dest) return std::unexpected(dest.error());
    if (!destinations.insert(spec.local_path).second) {
      return api::fail(ErrorContext::kCaller, ErrorKind::kInvalidArgument,
                       "destination is already used by a file of this job", 0, spec.local_path,
                       api::Protocol::kLocal);
    }
    if (spec.metadata_url) {
      if (auto url = check_url(*spec.metadata_url); !url) return std::unexpected(url.error());
    }
    FileRecord file;
    file.index = static_cast<std::uint32_t>(entry.record.files.size() + added.size());
    file.url = spec.url;
    file.metadata_url = spec.metadata_url;
    file.mode = spec.mode.value_or(options_.default_mode);
    if (file.mode == api::DownloadMode::kGroup && options_.peer.group_id.empty()) {
      return api::fail(ErrorContext::kCaller, ErrorKind::kInvalidArgument,
                       "mode group needs this machine's group (group_id in swarmcopyd.conf, "
                       "--group-id for get)",
                       0, spec.url);
    }
    file.local_path = spec.local_path;
    file.temp_path = temp_path_for(spec.local_path, id, file.index);
    if (spec.sha256) {
      if (!is_sha256_hex(*spec.sha256)) {
        return api::fail(ErrorContext::kCaller, ErrorKind::kInvalidArgument,
                         "expected SHA-256 must be 64 hex digits", 0, spec.url);
      }
      file.sha256 = lower(*spec.sha256);
    }
    added.push_back(std::move(file));
  }
  if (auto stored = store_->add_files(id, added); !stored) return stored;
  for (auto& file : added) entry.record.files.push_back(std::move(file));
  touch(entry.record);
  save_logged(entry);
  notify(entry, Event::kModification);
  return {};
}

api::Result<void> Engine::resume(const Caller& caller, const api::JobId& id) {
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  JobEntry& entry = **found;
  const auto state = entry.record.state;
  if (state == JobState::kTransferred) {
    return caller_error(ErrorKind::kInvalidState, "job is already transferred: complete it");
  }
  if (entry.record.files.empty()) return caller_error(ErrorKind::kNoFiles, "job has no files");
  if (state == JobState::kQueued || is_running_state(state)) return {};  // already going
  JobRecord changed = entry.record;
  changed.state = JobState::kQueued;
  changed.error.reset();
  if (state != JobState::kTransientError) {
    // A caller's resume starts the no-progress clock afresh.
    changed.transient_since = {};
    changed.retry_count = 0;
  }
  touch(changed);
  if (auto saved = save(entry, changed); !saved) return saved;
  cancel_retry(entry);
  entry.queue_seq = next_queue_seq_++;
  notify(entry, Event::kModification);
  request_schedule();
  return {};
}

api::Result<void> Engine::suspend(const Caller& caller, const api::JobId& id) {
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  JobEntry& entry = **found;
  const auto state = entry.record.state;
  if (state == JobState::kSuspended) return {};
  if (state == JobState::kTransferred) {
    return caller_error(ErrorKind::kInvalidState, "job is already transferred: complete it");
  }
  JobRecord changed = entry.record;
  changed.state = JobState::kSuspended;
  changed.error.reset();
  touch(changed);
  if (auto saved = save(entry, changed); !saved) return saved;
  stop_run(entry);
  cancel_retry(entry);
  notify(entry, Event::kModification);
  request_schedule();
  return {};
}

api::Result<void> Engine::cancel(const Caller& caller, const api::JobId& id) {
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  JobEntry& entry = **found;
  JobRecord changed = entry.record;
  changed.state = JobState::kCancelled;
  changed.error.reset();
  touch(changed);
  if (auto saved = save(entry, changed); !saved) return saved;
  stop_run(entry);
  cancel_retry(entry);
  ScopedFsCredentials as_owner(entry.record.owner_uid, entry.record.owner_gid);
  for (const auto& file : entry.record.files) {
    if (auto removed = remove_file(file.temp_path); !removed) {
      // Retried at the next open (recover); the job is cancelled either way.
      spdlog::error("job {}: {}", id.to_string(), removed.error().describe());
    }
  }
  notify(entry, Event::kModification);
  request_schedule();
  return {};
}

api::Result<void> Engine::take_ownership(const Caller& caller, const api::JobId& id) {
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  JobEntry& entry = **found;
  if (entry.record.owner_uid == caller.uid) return {};  // already the caller's
  // Stopped first: a stopping transfer commits what it wrote into the record.
  stop_run(entry);
  cancel_retry(entry);
  const std::uint32_t old_uid = entry.record.owner_uid;
  const std::uint32_t old_gid = entry.record.owner_gid;
  JobRecord changed = entry.record;
  changed.owner_uid = caller.uid;
  changed.owner_gid = caller.gid;
  // Bytes the old owner's credentials wrote, in files the old owner owns, are not the new
  // owner's to trust or to move into place: every file starts over (verified content kept in
  // the cache still serves it, without the origin).
  for (auto& file : changed.files) {
    file.completed = false;
    file.verified = RangeSet{};
    file.high_water = 0;
    restart_counts(file);  // what comes now comes again
  }
  // The old owner's notify command would now run with the new owner's rights (root's): a
  // program the old owner chose is not run as anyone else. Nor do its callbacks hear more.
  changed.notify_cmd.clear();
  changed.notify_cmd_status.reset();
  // Private to the new owner: what it fetches (perhaps from where the old owner may not, such
  // as a loopback origin only root may reach) is not readable by the user whose directory
  // holds it.
  changed.file_mode = 0600;
  // A job that was going goes on, now as the new owner; a suspended or failed one waits for a
  // resume as before.
  const auto state = changed.state;
  const bool going = state == JobState::kQueued || is_running_state(state) ||
                     state == JobState::kTransientError || state == JobState::kTransferred;
  if (going) {
    changed.state = JobState::kQueued;
    changed.error.reset();
  }
  touch(changed);
  if (auto saved = save(entry, changed); !saved) return saved;
  entry.callback.reset();
  spdlog::info("job {}: taken over by uid {} from uid {}", id.to_string(), caller.uid, old_uid);
  {
    // The temporary paths are unchanged: the old owner's files are where the new ones go.
    ScopedFsCredentials as_old_owner(old_uid, old_gid);
    for (const auto& file : entry.record.files) {
      if (auto removed = remove_file(file.temp_path); !removed) {
        spdlog::warn("job {}: {}", id.to_string(), removed.error().describe());
      }
    }
  }
  if (going) {
    entry.queue_seq = next_queue_seq_++;
    request_schedule();
  }
  notify(entry, Event::kModification);
  return {};
}

// Complete never touches the owner's files on the engine thread: a temporary file replaced by a
// FIFO or sitting on a stalled mount would freeze every user's calls. The engine thread checks
// the state and freezes the job; the blocking pool checks and moves the files (as the owner);
// the engine thread records the outcome.
api::Result<void> Engine::complete(const Caller& caller, const api::JobId& id) {
  auto plan = call([&] { return begin_complete(caller, id); });
  if (!plan) return std::unexpected(plan.error());
  auto moved = run_blocking([&plan] { return move_into_place(*plan); });
  return call([&] { return end_complete(id, std::move(moved)); });
}

api::Result<Engine::CompletePlan> Engine::begin_complete(const Caller& caller,
                                                         const api::JobId& id) {
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  JobEntry& entry = **found;
  if (entry.record.state != JobState::kTransferred) {
    return caller_error(
        ErrorKind::kInvalidState,
        "job is not transferred yet (" + std::string(api::to_string(entry.record.state)) + ")");
  }
  CompletePlan plan{entry.record.owner_uid, entry.record.owner_gid, {}, {}};
  for (const auto& file : entry.record.files) {
    plan.moves.push_back({file.temp_path, file.local_path});
    plan.sizes.push_back(file.size);
  }
  entry.completing = true;
  return plan;
}

api::Result<void> Engine::move_into_place(const CompletePlan& plan) {
  // As the owner: the destinations are replaced only where the owner could replace them.
  ScopedFsCredentials as_owner(plan.owner_uid, plan.owner_gid);
  // Check everything first so that a failure leaves every destination as it was.
  for (std::size_t i = 0; i < plan.moves.size(); ++i) {
    if (auto checked = check_temp_file(plan.moves[i].temp, plan.owner_uid, plan.sizes[i]);
        !checked) {
      return checked;
    }
  }
  return move_all_into_place(plan.moves);
}

api::Result<void> Engine::end_complete(const api::JobId& id, api::Result<void> moved) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::unexpected(unavailable());
  it->second.completing = false;
  if (!moved) return moved;
  set_state(it->second, JobState::kAcknowledged);
  return {};
}

api::Result<FileReady> Engine::file_ready(const Caller& caller, const api::JobId& id,
                                          std::uint32_t index) {
  auto found = lookup(caller, id);
  if (!found) return std::unexpected(found.error());
  const JobEntry& entry = **found;
  if (index >= entry.record.files.size()) {
    return std::unexpected(api::Error{api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                                      0, "the job has no file " + std::to_string(index), "",
                                      api::Protocol::kNone});
  }
  // The running file's live record (its checkpoints move `verified`), else the stored one.
  const FileRecord* file = &entry.record.files[index];
  if (entry.run && entry.run->transfer->file().index == index) file = &entry.run->transfer->file();
  FileReady ready;
  ready.size = file->size;
  ready.temp_path = file->temp_path;
  ready.completed = file->completed;
  const auto& ranges = file->verified.ranges();
  if (!ranges.empty() && ranges.front().begin == 0) ready.ready = ranges.front().end;
  return ready;
}

api::Result<api::JobInfo> Engine::info(const Caller& caller, const api::JobId& id) {
  auto found = lookup(caller, id);
  if (!found) return std::unexpected(found.error());
  const JobEntry& entry = **found;
  const JobRecord& record = entry.record;
  api::JobInfo info;
  info.id = record.id;
  info.display_name = record.display_name;
  info.type = record.type;
  info.state = record.state;
  info.priority = record.priority;
  info.times = record.times;
  info.error = record.error;
  info.no_progress_timeout = record.no_progress_timeout;
  info.notify_flags = record.notify_flags;
  info.http_headers = record.http_headers;
  info.max_bytes_per_second = record.max_bytes_per_second;
  info.description = record.description;
  info.min_retry_delay = record.min_retry_delay.value_or(options_.min_retry_delay);
  info.error_count = record.error_count;
  info.notify_cmd = record.notify_cmd;
  info.notify_cmd_status = record.notify_cmd_status;
  info.proxy = record.proxy;
  info.owner_uid = record.owner_uid;
  bool sizes_known = true;
  std::uint64_t total = 0;
  for (const auto& file : record.files) {
    auto status = file_status(entry, file);
    if (status.bytes_total) {
      total += *status.bytes_total;
    } else {
      sizes_known = false;
    }
    info.progress.bytes_transferred += status.bytes_transferred;
    if (status.completed) ++info.progress.files_transferred;
    info.files.push_back(std::move(status));
  }
  info.progress.files_total = static_cast<std::uint32_t>(record.files.size());
  if (sizes_known) info.progress.bytes_total = total;
  return info;
}

api::Result<std::vector<api::FileExplanation>> Engine::explain(const Caller& caller,
                                                               const api::JobId& id) {
  auto found = lookup(caller, id);
  if (!found) return std::unexpected(found.error());
  const JobEntry& entry = **found;
  std::vector<api::FileExplanation> files;
  for (const auto& stored : entry.record.files) {
    // The running file's live record, as file_status reads it.
    const bool running = entry.run && entry.run->transfer->file().index == stored.index;
    files.push_back(running ? entry.run->transfer->file().explanation : stored.explanation);
  }
  return files;
}

api::FileStatus Engine::file_status(const JobEntry& entry, const FileRecord& stored) const {
  // The running file's live state (bytes written but not yet synced count as transferred).
  const FileRecord* file = &stored;
  std::uint64_t transferred = stored.verified.total();
  if (entry.run && entry.run->transfer->file().index == stored.index) {
    file = &entry.run->transfer->file();
    transferred = entry.run->transfer->bytes_written();
  }
  api::FileStatus status;
  status.url = file->url;
  status.local_path = file->local_path;
  status.sha256 = file->sha256;
  status.bytes_total = file->size;
  status.completed = file->completed;
  status.bytes_transferred = file->completed ? file->size.value_or(transferred) : transferred;
  status.from_origin = file->from_origin;
  status.from_peers = file->from_peers;
  status.from_cache = file->from_cache;
  status.refetched = file->refetched;
  // accepts_ranges is what the origin's last answer to a Range request showed (the probe's
  // "bytes=0-0", or a range request answered with 200), persisted with the file.
  status.origin_ignores_range = !file->accepts_ranges;
  status.metadata_url = file->metadata_url;
  status.mode = file->mode;
  status.uploaded = file->uploaded;
  status.peers_seen = file->peers_seen;
  status.peers_connected = entry.run && entry.run->transfer && file != &stored
                               ? entry.run->transfer->peers_connected()
                               : 0;
  status.peers = file->peers;
  status.peers_unused_reason = file->peers_unused_reason;
  status.metadata_source = file->metadata_source;
  return status;
}

api::Result<void> Engine::update(const Caller& caller, const api::JobId& id,
                                 const api::JobPatch& patch) {
  if (patch.no_progress_timeout && patch.no_progress_timeout->count() < 0) {
    return caller_error(ErrorKind::kInvalidArgument, "negative timeout");
  }
  if (patch.notify_flags &&
      (static_cast<std::uint32_t>(*patch.notify_flags) & ~api::kAllNotifyBits)) {
    return caller_error(ErrorKind::kInvalidArgument, "unknown notify flag bits");
  }
  if (patch.http_headers) {
    for (const auto& header : *patch.http_headers) {
      if (auto checked = check_http_header(header); !checked) return checked;
    }
  }
  if (patch.display_name) {
    if (auto checked = check_display_name(*patch.display_name); !checked) return checked;
  }
  if (patch.description) {
    if (auto checked = check_description(*patch.description); !checked) return checked;
  }
  if (patch.notify_cmd) {
    if (auto checked = check_notify_cmd(*patch.notify_cmd); !checked) return checked;
  }
  if (patch.proxy) {
    if (auto checked = api::check_proxy_settings(*patch.proxy); !checked) return checked;
  }
  if (patch.min_retry_delay && (*patch.min_retry_delay < std::chrono::milliseconds(1) ||
                                *patch.min_retry_delay > std::chrono::hours(24))) {
    return caller_error(ErrorKind::kInvalidArgument,
                        "minimum retry delay must be from 1 ms to 1 day");
  }
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  JobEntry& entry = **found;
  JobRecord changed = entry.record;
  if (patch.priority) changed.priority = *patch.priority;
  if (patch.no_progress_timeout) changed.no_progress_timeout = *patch.no_progress_timeout;
  if (patch.notify_flags) changed.notify_flags = *patch.notify_flags;
  if (patch.http_headers) changed.http_headers = *patch.http_headers;
  if (patch.max_bytes_per_second) changed.max_bytes_per_second = *patch.max_bytes_per_second;
  if (patch.display_name) changed.display_name = *patch.display_name;
  if (patch.description) changed.description = *patch.description;
  if (patch.min_retry_delay) changed.min_retry_delay = *patch.min_retry_delay;
  if (patch.notify_cmd) changed.notify_cmd = *patch.notify_cmd;
  if (patch.proxy) changed.proxy = *patch.proxy;
  if (changed == entry.record) return {};
  const bool priority_changed = changed.priority != entry.record.priority;
  const bool timeout_changed = changed.no_progress_timeout != entry.record.no_progress_timeout;
  const bool text_changed = changed.display_name != entry.record.display_name ||
                            changed.description != entry.record.description;
  touch(changed);
  if (auto saved = save(entry, changed); !saved) return saved;
  // A job waiting to retry must look at its deadline again.
  if (timeout_changed && entry.record.state == JobState::kTransientError) {
    arm_retry(entry, entry.retry_at);
  }
  if (priority_changed || timeout_changed || text_changed) notify(entry, Event::kModification);
  if (priority_changed) request_schedule();
  return {};
}

api::Result<void> Engine::set_callback(const Caller& caller, const api::JobId& id,
                                       std::shared_ptr<api::Callback> callback) {
  auto found = lookup_mutable(caller, id);
  if (!found) return std::unexpected(found.error());
  (*found)->callback = std::move(callback);
  return {};
}

api::Result<std::shared_ptr<api::Callback>> Engine::callback(const Caller& caller,
                                                             const api::JobId& id) {
  auto found = lookup(caller, id);
  if (!found) return std::unexpected(found.error());
  return (*found)->callback;
}

// ---------------------------------------------------------------- scheduling and transfers

void Engine::request_schedule() {
  if (schedule_pending_ || stopping_) return;
  schedule_pending_ = true;
  // Deferred so that a decision never runs inside a transfer's or a caller's stack frame.
  boost::asio::post(io_, [this] {
    schedule_pending_ = false;
    if (!stopping_) schedule();
  });
}

void Engine::schedule() {
  std::vector<SchedulerEntry> entries;
  for (auto& [id, entry] : jobs_) {
    const auto state = entry.record.state;
    if (state == JobState::kQueued || (is_running_state(state) && entry.run)) {
      entries.push_back(SchedulerEntry{id, entry.record.priority, entry.run.has_value(),
                                       entry.queue_seq, entry.record.owner_uid,
                                       entry.running_since});
    }
  }
  const auto now = SteadyClock::now();
  const auto decision = plan_schedule(entries, options_.max_active_jobs, options_.time_slice, now);
  for (const auto& id : decision.preempt) {
    auto& entry = jobs_.at(id);
    stop_run(entry);
    entry.queue_seq = next_queue_seq_++;
    set_state(entry, JobState::kQueued);
  }
  for (const auto& id : decision.start) start_run(jobs_.at(id));
  if (decision.next_review) {
    review_timer_->expires_at(*decision.next_review);
    review_timer_->async_wait([this](const boost::system::error_code& ec) {
      if (!ec) request_schedule();
    });
  }
}

void Engine::start_run(JobEntry& entry) {
  entry.run = JobRun{next_run_token_++, nullptr};
  entry.running_since = SteadyClock::now();
  set_state(entry, JobState::kConnecting);
  run_next_file(entry);
}

void Engine::run_next_file(JobEntry& entry) {
  auto& record = entry.record;
  auto next = std::find_if(record.files.begin(), record.files.end(),
                           [](const FileRecord& f) { return !f.completed; });
  if (next == record.files.end()) {
    entry.run.reset();
    record.transient_since = {};
    record.retry_count = 0;
    set_state(entry, JobState::kTransferred);
    request_schedule();
    return;
  }
  const api::JobId id = record.id;
  const std::uint64_t token = entry.run->token;
  const std::size_t index = next->index;
  FileTransfer::Hooks hooks{
      [this, id, token] { on_data_flowing(id, token); },
      [this, id, token](const FileRecord& file) { on_persist(id, token, file); },
      [this, id, token, index](FileOutcome outcome) {
        on_file_done(id, token, index, std::move(outcome));
      }};
  ProxyRoute route = proxy_route(record.proxy, options_.proxy, options_.no_proxy);
  const bool foreground = record.priority == api::Priority::kForeground;
  entry.run->transfer = std::make_unique<FileTransfer>(
      FileTransfer::Deps{io_, pool_, *http_, options_, cache_.get(),
                         [this] { return swarm_hub(); }},
      *next,
      FileTransfer::Settings{
          record.http_headers, record.max_bytes_per_second, record.owner_uid, record.owner_gid,
          foreground, record.file_mode, may_fetch_locally(record.owner_uid), std::move(route.proxy),
          std::move(route.no_proxy), traffic_->budget_for(foreground, record.max_bytes_per_second),
          traffic_->cap(foreground).rule},
      std::move(hooks));
  entry.run->transfer->start();
}

bool Engine::may_fetch_locally(std::uint32_t uid) const {
  const auto& allowed = options_.local_origin_uids;
  return !allowed || std::find(allowed->begin(), allowed->end(), uid) != allowed->end();
}

api::Result<swarm::SwarmHub*> Engine::swarm_hub() {
  if (hub_) return hub_.get();
  if (!cache_) {
    return api::fail(ErrorContext::kCache, ErrorKind::kInvalidState,
                     "the content cache is disabled (the swarm keeps its data there)");
  }
  auto hub = swarm::SwarmHub::open(io_, pool_, *cache_, options_);
  if (!hub) return std::unexpected(hub.error());
  hub_ = std::move(*hub);
  // Before any peer is served: the month's upload cap applies from the first byte.
  if (traffic_) traffic_->hub_opened(*hub_);
  return hub_.get();
}

// A restarted engine keeps serving what it served before (for the rest of each item's seed
// time). Only where LAN peers are used at all: an http-only engine opens no session.
void Engine::resume_seeding() {
  const bool peers_used = options_.default_mode == api::DownloadMode::kLan ||
                          options_.default_mode == api::DownloadMode::kGroup;
  if (!cache_ || !peers_used || options_.seed_time.count() <= 0) {
    return;
  }
  // Listing, reading metainfo and checking items left by a crash block: on the pool.
  boost::asio::post(pool_, [this] {
    auto items = swarm::SwarmHub::find_reseeds(*cache_, options_.seed_time);
    if (items.empty()) return;
    boost::asio::post(io_, [this, items = std::move(items)]() mutable {
      if (stopping_) return;
      auto hub = swarm_hub();
      if (!hub) {
        spdlog::warn("cannot seed cached items again: {}", hub.error().describe());
        return;
      }
      (*hub)->reseed(std::move(items));
    });
  });
}

void Engine::stop_run(JobEntry& entry) {
  if (!entry.run) return;
  auto run = std::move(*entry.run);
  entry.run.reset();
  if (run.transfer) run.transfer->stop();
}

void Engine::on_data_flowing(const api::JobId& id, std::uint64_t token) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !it->second.run || it->second.run->token != token) return;
  if (it->second.record.state == JobState::kConnecting) {
    set_state(it->second, JobState::kTransferring);
  }
}

void Engine::on_persist(const api::JobId& id, std::uint64_t token, const FileRecord& file) {
  auto it = jobs_.find(id);
  // stop() persists synchronously while the run is being taken down: accept that too.
  if (it == jobs_.end() || file.index >= it->second.record.files.size()) return;
  (void)token;
  auto& entry = it->second;
  auto& record = entry.record;
  // Only bytes beyond the most ever verified are progress (FileRecord::high_water); the engine
  // keeps the mark, the transfer's copy of the record may hold an older one. New content at the
  // origin starts a new mark.
  const FileRecord& stored = record.files[file.index];
  const bool same_content = stored.size == file.size && stored.etag == file.etag &&
                            stored.last_modified == file.last_modified &&
                            stored.info_hash == file.info_hash;
  const std::uint64_t high_water = same_content ? stored.high_water : 0;
  const bool progressed = file.verified.total() > high_water;
  record.files[file.index] = file;
  record.files[file.index].high_water = std::max(high_water, file.verified.total());
  if (progressed) {
    // Progress ends a run of transient errors: the no-progress clock starts over.
    record.transient_since = {};
    record.retry_count = 0;
  }
  touch(record);
  if (auto saved = store_->update_job_and_file(record, record.files[file.index]); !saved) {
    spdlog::error("job {}: cannot save progress: {}", id.to_string(), saved.error().message);
  }
  if (progressed) notify(entry, Event::kModification);
}

void Engine::on_file_done(const api::JobId& id, std::uint64_t token, std::size_t index,
                          FileOutcome outcome) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !it->second.run || it->second.run->token != token) return;
  auto& entry = it->second;
  if (!outcome) {
    handle_failure(entry, std::move(outcome.error()));
    return;
  }
  const FileRecord& file = entry.record.files[index];
  notify_file(entry, file);
  entry.run->transfer.reset();
  run_next_file(entry);
}

void Engine::handle_failure(JobEntry& entry, origin::FetchError failure) {
  stop_run(entry);
  auto& record = entry.record;
  const auto now_wall = api::Clock::now();
  if (!failure.transient) {
    // The caller hears of it through the job (state, error, callback); the log is for -v.
    spdlog::info("job {}: {}", record.id.to_string(), failure.error.describe());
    set_state(entry, JobState::kError, std::move(failure.error));
    request_schedule();
    return;
  }
  // Counted before the no-progress verdict: the error that ends the job was hit too.
  if (record.error_count < std::numeric_limits<std::uint32_t>::max()) ++record.error_count;
  if (record.transient_since == api::Clock::time_point{}) record.transient_since = now_wall;
  const auto waited = now_wall - record.transient_since;
  if (record.no_progress_timeout.count() == 0 || waited >= record.no_progress_timeout) {
    auto error = no_progress_error(record, std::move(failure.error));
    spdlog::info("job {}: {}", record.id.to_string(), error.describe());
    set_state(entry, JobState::kError, std::move(error));
    request_schedule();
    return;
  }
  const auto delay =
      retry_delay(RetryDelays{record.min_retry_delay.value_or(options_.min_retry_delay),
                              options_.max_retry_delay},
                  record.retry_count, failure.retry_after);
  ++record.retry_count;
  spdlog::info("job {}: {}; retrying in {} ms", record.id.to_string(), failure.error.describe(),
               delay.count());
  set_state(entry, JobState::kTransientError, std::move(failure.error));
  entry.retry_at = SteadyClock::now() + delay;
  arm_retry(entry, entry.retry_at);
  request_schedule();
}

// Wakes the job at its retry time, or earlier when its no-progress deadline comes first.
void Engine::arm_retry(JobEntry& entry, SteadyClock::time_point when) {
  const auto& record = entry.record;
  if (record.transient_since != api::Clock::time_point{}) {
    const auto deadline_wall = record.transient_since + record.no_progress_timeout;
    const auto left = deadline_wall - api::Clock::now();
    const auto deadline =
        SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(left);
    when = std::min(when, deadline);
  }
  if (!entry.retry_timer) entry.retry_timer = std::make_unique<boost::asio::steady_timer>(io_);
  entry.retry_timer->expires_at(when);
  const api::JobId id = record.id;
  entry.retry_timer->async_wait([this, id](const boost::system::error_code& ec) {
    if (!ec) on_retry_timer(id);
  });
}

void Engine::on_retry_timer(const api::JobId& id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.record.state != JobState::kTransientError) return;
  auto& entry = it->second;
  auto& record = entry.record;
  const auto waited = api::Clock::now() - record.transient_since;
  if (record.transient_since != api::Clock::time_point{} && waited >= record.no_progress_timeout) {
    set_state(entry, JobState::kError,
              no_progress_error(record, record.error.value_or(api::Error{})));
    return;
  }
  if (SteadyClock::now() < entry.retry_at) {  // woken for a deadline that has moved since
    arm_retry(entry, entry.retry_at);
    return;
  }
  entry.queue_seq = next_queue_seq_++;
  set_state(entry, JobState::kQueued, record.error);
  request_schedule();
}

void Engine::cancel_retry(JobEntry& entry) {
  if (entry.retry_timer) entry.retry_timer->cancel();
}

// ---------------------------------------------------------------- notifications

std::shared_ptr<api::Job> Engine::handle(const JobRecord& record) {
  // A callback acts for the job's owner, as the owner's own handles do.
  return std::make_shared<LocalJob>(shared_from_this(),
                                    Caller{record.owner_uid, record.owner_gid, false, std::nullopt},
                                    record.id);
}

void Engine::observe(JobEvent event) {
  if (!observer_) return;
  notifier_->post([observer = observer_, event = std::move(event)] { observer(event); });
}

void Engine::notify(JobEntry& entry, Event event) {
  const auto& record = entry.record;
  const auto flags = record.notify_flags;
  JobEvent observed{JobEvent::Type::kModification, record.id, record.owner_uid, flags, {}, {}};
  switch (event) {
    case Event::kTransferred:
      observed.type = JobEvent::Type::kTransferred;
      break;
    case Event::kError:
      observed.type = JobEvent::Type::kError;
      observed.error = record.error;
      break;
    case Event::kModification:
      break;
  }
  observe(std::move(observed));
  if (!entry.callback) return;
  auto callback = entry.callback;
  auto job = handle(record);
  switch (event) {
    case Event::kTransferred:
      if (api::wants(flags, api::NotifyFlags::kJobTransferred)) {
        notifier_->post([callback, job] { callback->job_transferred(*job); });
      }
      break;
    case Event::kError:
      if (api::wants(flags, api::NotifyFlags::kJobError) && record.error) {
        notifier_->post(
            [callback, job, error = *record.error] { callback->job_error(*job, error); });
      }
      break;
    case Event::kModification:
      if (api::wants(flags, api::NotifyFlags::kJobModification)) {
        notifier_->post([callback, job] { callback->job_modification(*job); });
      }
      break;
  }
}

void Engine::notify_file(JobEntry& entry, const FileRecord& file) {
  const auto& record = entry.record;
  auto status = file_status(entry, file);
  observe(JobEvent{JobEvent::Type::kFileTransferred,
                   record.id,
                   record.owner_uid,
                   record.notify_flags,
                   {},
                   status});
  if (!entry.callback || !api::wants(record.notify_flags, api::NotifyFlags::kFileTransferred)) {
    return;
  }
  notifier_->post([callback = entry.callback, job = handle(record), status] {
    callback->file_transferred(*job, status);
  });
}

}  // namespace swarmcopy::engine
