#include "get_session.h"

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon_discovery.h"
#include "error_text.h"
#include "exit_code.h"
#include "explain_text.h"
#include "home_history.h"
#include "job_finder.h"
#include "printable.h"
#include "repeat_limiter.h"
#include "swarmcopy/client/daemon_status.h"
#include "swarmcopy/client/remote_manager.h"
#include "swarmcopy/engine/local_manager.h"
#include "swarmcopy/engine/state_dir_holder.h"
#include "swarmcopy/util/user_state_dir.h"

namespace swarmcopy::cli {
namespace {

// How often the bar is redrawn while nothing is notified: often enough for a live rate, rare
// enough that the engine thread does not notice the info() calls.
constexpr std::chrono::milliseconds kPollInterval{200};

// How long `get --daemon` waits for a daemon that stopped answering (a restart) before it
// gives up on the job.
constexpr std::chrono::seconds kUnavailableGrace{30};

// How often a get whose home another swarmcopy holds tries again to open it.
constexpr std::chrono::milliseconds kHomeRetryInterval{250};

constexpr api::NotifyFlags kNotifyFlags = api::NotifyFlags::kJobTransferred |
                                          api::NotifyFlags::kJobError |
                                          api::NotifyFlags::kJobModification;

api::Error local_error(std::string message) {
  return api::Error{api::ErrorContext::kGeneralQueueManager,
                    api::ErrorKind::kInternal,
                    0,
                    std::move(message),
                    {},
                    api::Protocol::kNone};
}

}  // namespace

GetSession::GetSession(GetRequest request)
    : request_(std::move(request)),
      start_(std::chrono::steady_clock::now()),
      bar_(STDERR_FILENO, request_.progress_bar),
      lines_(STDERR_FILENO, request_.progress_lines, start_) {
  outcome_.path = request_.path.string();
}

int GetSession::run() {
  // Before open_local: the engine's threads must inherit the blocked SIGINT/SIGTERM.
  auto waiter = JobWaiter::create();
  if (!waiter) return fail(local_error(waiter.error()));
  waiter_.emplace(std::move(*waiter));
  if (auto exit_code = open_engine()) return *exit_code;
  if (auto exit_code = prepare_job()) return *exit_code;
  return wait_for_job();
}

std::optional<int> GetSession::open_engine() {
  if (request_.daemon) {
    DaemonChoice choice;
    choice.socket_flag = request_.socket;
    choice.auto_start = AutoStart::kNo;
    auto socket = find_daemon(choice);
    if (!socket) return fail(socket.error());
    return connect_daemon(*socket);
  }
  engine::EngineOptions options;
  options.owner_uid = ::getuid();
  options.peer = request_.peer;
  options.seed_time = request_.seed_time;
  options.min_peer_file_size = request_.min_peer_file_size;
  // The user's other homes (another --home, the user daemon's) share their caches with this one.
  if (auto list = util::user_cache_list_dir()) options.cache_list_dir = *list;
  // Printed whatever -q says: scripts and tests that start peers need the port.
  options.on_listening = [](std::uint16_t port) {
    fmt::print(stderr, "listening on {}\n", port);
    std::fflush(stderr);
  };
  // The home is in use: by a daemon (then the job runs there), or by another get or cache
  // command (then this one waits for it; a get of the same file then reports what it did).
  for (;;) {
    auto manager = engine::open_local(request_.home, options);
    if (manager) {
      manager_ = std::move(*manager);
      return std::nullopt;
    }
    api::Error error = manager.error();
    // Any other failure (a home it cannot create or read) is final: say which directory.
    if (error.kind != api::ErrorKind::kUnavailable) {
      if (error.file.empty()) error.file = request_.home.string();
      return fail(std::move(error));
    }
    const auto holder = engine::read_state_dir_holder(request_.home);
    if (holder.socket && client::daemon_status(*holder.socket)) {
      return go_through_daemon(*holder.socket, holder.pid);
    }
    if (!waiting_since_) {
      waiting_since_ = api::Clock::now();
      if (!request_.quiet) {
        fmt::print(stderr, "swarmcopy: waiting for {} to finish with {}\n",
                   holder.pid ? fmt::format("another swarmcopy (pid {})", *holder.pid)
                              : std::string("another swarmcopy"),
                   request_.home.string());
        std::fflush(stderr);
      }
    }
    if (waiter_->wait(kHomeRetryInterval).event == JobWaiter::Event::kSignal) {
      if (!request_.quiet) fmt::print(stderr, "swarmcopy: interrupted while waiting\n");
      return finish(kExitInterrupted);
    }
  }
}

std::optional<int> GetSession::go_through_daemon(const std::filesystem::path& socket,
                                                 std::optional<pid_t> pid) {
  const std::string daemon = pid ? fmt::format("swarmcopyd (pid {}) at {}", *pid, socket.string())
                                 : fmt::format("swarmcopyd at {}", socket.string());
  if (request_.peer_options_given) {
    return fail(local_error(fmt::format(
        "{} holds {} and runs its own peer session: --peer, --listen, --no-lsd, --upload-limit, "
        "--max-peers and --seed-time cannot apply (drop them, or stop the daemon)",
        daemon, request_.home.string())));
  }
  if (!request_.quiet) {
    fmt::print(stderr, "swarmcopy: {} holds {}: the download runs there\n", daemon,
               request_.home.string());
    std::fflush(stderr);
  }
  // From here on exactly as with --daemon: a daemon restart is waited for, no seeding here.
  request_.daemon = true;
  request_.socket = socket;
  return connect_daemon(socket);
}

std::optional<int> GetSession::connect_daemon(const std::filesystem::path& socket) {
  auto manager = client::connect(socket);
  if (!manager) return fail(manager.error());
  manager_ = std::move(*manager);
  return std::nullopt;
}

std::optional<int> GetSession::prepare_job() {
  const api::FileSpec spec{request_.url, request_.path.string(), request_.sha256,
                           request_.metadata_url, request_.mode};
  if (waiting_since_) {
    // The get this one waited for may have fetched this very file meanwhile: report its job
    // rather than fetch the file a second time.
    auto done = find_get_job_completed_since(*manager_, spec, *waiting_since_);
    if (!done) return fail(done.error());
    if (*done) {
      outcome_.job = (*done)->id;
      outcome_.joined = true;
      spdlog::info("job {} of the get waited for has completed the file", (*done)->id.to_string());
      return succeed(**done);
    }
  }
  auto found = find_resumable_get_job(*manager_, spec);
  if (!found) return fail(found.error());
  if (*found) {
    job_ = std::move(*found);
    outcome_.resumed = true;
    spdlog::info("resuming job {}", job_->id().to_string());
  } else {
    auto created = manager_->create_job(get_job_name(request_.url));
    if (!created) return fail(created.error());
    job_ = std::move(*created);
    spdlog::info("created job {}", job_->id().to_string());
    if (auto added = job_->add_file(spec); !added) return fail(added.error());
  }
  outcome_.job = job_->id();

  // Applied on every run, also to a reused job: the options of the latest command line win,
  // in one commit (one round trip to a daemon).
  api::JobPatch settings;
  settings.priority = request_.priority;
  settings.http_headers = request_.headers;
  settings.max_bytes_per_second = request_.max_bytes_per_second;
  settings.notify_flags = kNotifyFlags;
  settings.no_progress_timeout = request_.no_progress_timeout;
  settings.proxy = request_.proxy;
  if (auto updated = job_->update(settings); !updated) return fail(updated.error());
  if (auto set = job_->set_notify_interface(waiter_->callback()); !set) return fail(set.error());

  auto state = job_->state();
  if (!state) return fail(state.error());
  // A job that was active when an earlier process died resumes by itself at open_local; only
  // a stopped one needs resume() (which rejects the others).
  if (*state == api::JobState::kSuspended || *state == api::JobState::kError ||
      *state == api::JobState::kTransientError) {
    if (auto resumed = job_->resume(); !resumed) return fail(resumed.error());
  }
  return std::nullopt;
}

int GetSession::wait_for_job() {
  std::optional<std::chrono::steady_clock::time_point> unavailable_since;
  for (;;) {
    auto info = job_->info();
    if (!info) {
      // The daemon restarting is not the job failing: it resumes the job by itself. Wait.
      const auto now = std::chrono::steady_clock::now();
      if (!request_.daemon || info.error().kind != api::ErrorKind::kUnavailable ||
          (unavailable_since && now - *unavailable_since > kUnavailableGrace)) {
        return fail(info.error());
      }
      if (!unavailable_since) {
        unavailable_since = now;
        spdlog::warn("{}; waiting for it to come back", info.error().describe());
      }
      if (waiter_->wait(kPollInterval).event == JobWaiter::Event::kSignal) return interrupted();
      continue;
    }
    unavailable_since.reset();
    record(*info);
    bar_.update(*info, std::chrono::steady_clock::now());
    lines_.update(outcome_, std::chrono::steady_clock::now());
    switch (info->state) {
      case api::JobState::kTransferred: {
        bar_.finish();
        // This process's engine did the work (a daemon keeps its own history).
        if (!request_.daemon) record_in_home_history(request_.home, *info);
        explain(*info);
        if (auto completed = job_->complete(); !completed) return fail(completed.error());
        auto final_info = job_->info();
        if (!final_info) return fail(final_info.error(), Cleanup::kLeaveJob);
        return succeed(*final_info);
      }
      case api::JobState::kAcknowledged:
        return succeed(*info);
      case api::JobState::kError:
        if (!request_.daemon) record_in_home_history(request_.home, *info);
        explain(*info);
        return fail(info->error.value_or(local_error("the job failed without an error")));
      case api::JobState::kCancelled:
        return fail(local_error("the job was cancelled by another client"), Cleanup::kLeaveJob);
      case api::JobState::kSuspended:
        // Only possible if something else shares the job (a later daemon mode): leave it as
        // the other client wants it.
        return fail(local_error("the job was suspended by another client"), Cleanup::kLeaveJob);
      case api::JobState::kTransientError:
        // Not final: the engine retries until the no-progress timeout turns it into ERROR.
        // Said on stderr whatever it is (a terminal or a log file) and whatever -q says: a
        // get that only waits would otherwise look hung.
        if (info->error) note_transient(*info->error);
        break;
      default:
        break;
    }
    if (waiter_->wait(kPollInterval).event == JobWaiter::Event::kSignal) return interrupted();
  }
}

void GetSession::note_transient(const api::Error& error) {
  const std::string key = fmt::format("{}/{}/{}/{}", api::to_string(error.context),
                                      api::to_string(error.kind), error.code, error.file);
  if (!transient_notes_.admit(key, std::chrono::steady_clock::now())) return;
  bar_.finish();  // the note goes on a line of its own; the bar redraws below it
  fmt::print(stderr, "swarmcopy: retrying: {}\n", printable(error_text(error)));
  std::fflush(stderr);
}

int GetSession::fail(api::Error error, Cleanup cleanup) {
  bar_.finish();
  if (error.file.empty()) error.file = request_.url;
  if (job_ && cleanup == Cleanup::kCancelJob) {
    // Cancel deletes the temporary file: a failed get leaves nothing at PATH and nothing to
    // resume (the next identical command starts afresh).
    if (auto cancelled = job_->cancel(); !cancelled) {
      spdlog::warn("could not cancel job {}: {}", job_->id().to_string(),
                   cancelled.error().describe());
    }
  }
  // The state reported is the one that ended the run: ERROR for a failure of the job or of a
  // call on it (also when the job was cancelled just now); what another client did, as found.
  if (job_ && (cleanup == Cleanup::kCancelJob || !outcome_.state)) {
    outcome_.state = api::JobState::kError;
  }
  fmt::print(stderr, "swarmcopy: error: {}\n", printable(error_text(error)));
  outcome_.error = std::move(error);
  return finish(kExitFailure);
}

int GetSession::succeed(const api::JobInfo& info) {
  record(info);
  const int exit_code = finish(kExitOk);
  if (request_.seed_time.count() > 0 && !request_.daemon) seed();
  return exit_code;
}

// The engine keeps serving the finished file to peers (EngineOptions::seed_time) while this
// process lives: stay until the time is up or a signal says stop.
void GetSession::seed() {
  if (!request_.quiet) {
    fmt::print(stderr, "swarmcopy: serving {} to peers for {} s (Ctrl-C stops)\n",
               request_.path.string(), request_.seed_time.count());
  }
  const auto until = std::chrono::steady_clock::now() + request_.seed_time;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    if (waiter_->wait(std::min(left, std::chrono::milliseconds(1000))).event ==
        JobWaiter::Event::kSignal) {
      return;
    }
  }
}

int GetSession::interrupted() {
  bar_.finish();
  if (auto suspended = job_->suspend(); !suspended) {
    spdlog::warn("could not suspend job {}: {}", job_->id().to_string(),
                 suspended.error().describe());
  }
  auto info = job_->info();
  if (info) record(*info);
  // A job with no bytes on disk has nothing for a rerun to resume: leaving it SUSPENDED would
  // only leave a job behind (and, for a URL that never answers, one per attempt). Cancelled,
  // the next identical command starts afresh, which costs nothing.
  if (info && info->progress.bytes_transferred == 0) {
    if (auto cancelled = job_->cancel(); !cancelled) {
      spdlog::warn("could not cancel job {}: {}", job_->id().to_string(),
                   cancelled.error().describe());
    } else {
      outcome_.state = api::JobState::kCancelled;
    }
    if (!request_.quiet) {
      fmt::print(stderr, "swarmcopy: interrupted before any byte arrived; job {} is {}\n",
                 job_->id().to_string(), api::to_string(*outcome_.state));
    }
    return finish(kExitInterrupted);
  }
  if (!request_.quiet) {
    fmt::print(stderr, "swarmcopy: interrupted; job {} is {}: run the same command to resume\n",
               job_->id().to_string(),
               outcome_.state ? api::to_string(*outcome_.state) : std::string_view("unknown"));
  }
  return finish(kExitInterrupted);
}

void GetSession::record(const api::JobInfo& info) {
  outcome_.state = info.state;
  outcome_.bytes = info.progress.bytes_transferred;
  outcome_.bytes_total = info.progress.bytes_total;
  outcome_.from_origin = outcome_.from_peers = outcome_.from_cache = outcome_.uploaded = 0;
  outcome_.refetched = 0;
  outcome_.origin_ignores_range = false;
  outcome_.peers_seen = outcome_.peers_connected = 0;
  outcome_.peers.clear();
  outcome_.peers_unused_reason.reset();
  outcome_.metadata_source.reset();
  outcome_.content_sha256.reset();
  for (const auto& file : info.files) {
    outcome_.from_origin += file.from_origin;
    outcome_.from_peers += file.from_peers;
    outcome_.from_cache += file.from_cache;
    outcome_.refetched += file.refetched;
    outcome_.origin_ignores_range = outcome_.origin_ignores_range || file.origin_ignores_range;
    outcome_.uploaded += file.uploaded;
    outcome_.peers_seen += file.peers_seen;
    outcome_.peers_connected += file.peers_connected;
    outcome_.peers.insert(outcome_.peers.end(), file.peers.begin(), file.peers.end());
    outcome_.mode = file.mode;
    if (file.peers_unused_reason) outcome_.peers_unused_reason = file.peers_unused_reason;
    outcome_.metadata_source = file.metadata_source;
    outcome_.content_sha256 = file.sha256;
  }
}

// --explain: taken while the job still exists (complete() and a failure's cancel end it).
void GetSession::explain(const api::JobInfo& info) {
  if (!request_.explain || !job_) return;
  auto files = job_->explain();
  if (!files) {
    spdlog::warn("cannot explain job {}: {}", info.id.to_string(), files.error().describe());
    return;
  }
  outcome_.explanation = explanation_json(info, *files);
  if (!request_.json) fmt::print(stderr, "{}", explanation_text(info, *files));
}

int GetSession::finish(int exit_code) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  outcome_.seconds = elapsed.count();
  if (request_.json) {
    fmt::print(stdout, "{}\n", get_outcome_to_json(outcome_).dump());
    std::fflush(stdout);
  }
  return exit_code;
}

}  // namespace swarmcopy::cli
