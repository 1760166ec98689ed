// GetSession: one run of `swarmcopy get` against the embedded engine (or, with --daemon,
// against swarmcopyd through client::connect): open the state directory (when a daemon holds
// it, go through that daemon; when another get holds it, wait, and report its job if it
// completed the same file meanwhile), find the unfinished job of
// an earlier identical run or create one, configure and resume it, then wait (JobWaiter:
// notifications, signals, a 200 ms progress poll) until it is TRANSFERRED (complete it), ERROR
// (cancel it, so no temporary file stays) or interrupted (suspend it, so the next identical run
// resumes it; cancel it when no byte had arrived). Transient errors are printed as they come
// (once a minute each); --no-progress-timeout ends the retrying. Prints the progress bar, the
// error line and the --json object. Runs on the main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include "get_outcome.h"
#include "get_request.h"
#include "job_waiter.h"
#include "progress_bar.h"
#include "progress_lines.h"
#include "repeat_limiter.h"
#include "swarmcopy/api/job.h"
#include "swarmcopy/api/job_times.h"
#include "swarmcopy/api/manager.h"

namespace swarmcopy::cli {

class GetSession {
 public:
  explicit GetSession(GetRequest request);
  // Returns the exit code: kExitOk, kExitFailure or kExitInterrupted.
  int run();

 private:
  // Each returns an exit code, or nullopt to go on with the next step.
  std::optional<int> open_engine();
  std::optional<int> connect_daemon(const std::filesystem::path& socket);
  // The daemon named in the home's lock file answers: the job runs in it, as with --daemon.
  std::optional<int> go_through_daemon(const std::filesystem::path& socket,
                                       std::optional<pid_t> pid);
  std::optional<int> prepare_job();
  int wait_for_job();
  // Prints a transient error the engine is retrying after, at most once a minute per error.
  void note_transient(const api::Error& error);

  enum class Cleanup { kCancelJob, kLeaveJob };
  int fail(api::Error error, Cleanup cleanup = Cleanup::kCancelJob);
  int succeed(const api::JobInfo& info);
  void seed();
  int interrupted();
  void record(const api::JobInfo& info);
  void explain(const api::JobInfo& info);
  int finish(int exit_code);

  GetRequest request_;
  std::chrono::steady_clock::time_point start_;
  GetOutcome outcome_;
  std::optional<JobWaiter> waiter_;
  std::shared_ptr<api::Manager> manager_;
  std::shared_ptr<api::Job> job_;
  ProgressBar bar_;
  ProgressLines lines_;
  RepeatLimiter transient_notes_{std::chrono::minutes(1)};
  // Set when the home was held by another swarmcopy that was not a daemon: this run waited.
  std::optional<api::Clock::time_point> waiting_since_;
};

}  // namespace swarmcopy::cli
