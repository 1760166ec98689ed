// Job: a handle on one transfer job (IBackgroundCopyJob). Handles are cheap; several handles on
// one job see the same job. Every method is thread-safe and returns once the engine has
// acted (and, for changes, once the change is committed to the job store). Each call can fail
// (Result) — for a remote manager also because the daemon went away.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "swarmcopy/api/callback.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_explanation.h"
#include "swarmcopy/api/file_spec.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_info.h"
#include "swarmcopy/api/job_patch.h"
#include "swarmcopy/api/job_state.h"
#include "swarmcopy/api/job_times.h"
#include "swarmcopy/api/notify_flags.h"
#include "swarmcopy/api/progress.h"
#include "swarmcopy/api/proxy_settings.h"

namespace swarmcopy::api {

class Job {
 public:
  virtual ~Job() = default;

  virtual JobId id() const = 0;  // GetId

  // AddFile / AddFileSet: only while the job is not TRANSFERRED, ACKNOWLEDGED or CANCELLED.
  // A set is added whole or not at all.
  virtual Result<void> add_file(const FileSpec& file) = 0;
  virtual Result<void> add_file_set(std::span<const FileSpec> files) = 0;

  virtual Result<void> resume() = 0;    // SUSPENDED/ERROR/TRANSIENT_ERROR -> QUEUED
  virtual Result<void> suspend() = 0;   // any active state -> SUSPENDED
  virtual Result<void> cancel() = 0;    // any non-final state -> CANCELLED
  virtual Result<void> complete() = 0;  // TRANSFERRED -> ACKNOWLEDGED
  // TakeOwnership: the caller becomes the job's owner (an administrator taking over another
  // user's job; one's own job: nothing to do). Its files start over as the new owner's, written
  // with the new owner's credentials; the old owner no longer sees the job.
  virtual Result<void> take_ownership() = 0;

  virtual Result<JobInfo> info() = 0;                   // everything below in one snapshot
  virtual Result<std::vector<FileStatus>> files() = 0;  // EnumFiles
  // Per file, in files()'s order: why its bytes came from where they came ("explain this
  // byte"): peers seen and why each was used or not, origin requests and why each was made.
  virtual Result<std::vector<FileExplanation>> explain() = 0;
  virtual Result<std::string> display_name() = 0;
  virtual Result<JobType> type() = 0;
  virtual Result<JobState> state() = 0;
  virtual Result<Progress> progress() = 0;
  virtual Result<JobTimes> times() = 0;
  virtual Result<std::optional<Error>> error() = 0;  // GetError: set in (TRANSIENT_)ERROR

  virtual Result<Priority> priority() = 0;
  virtual Result<std::chrono::seconds> no_progress_timeout() = 0;
  virtual Result<NotifyFlags> notify_flags() = 0;
  virtual Result<std::shared_ptr<Callback>> notify_interface() = 0;
  virtual Result<void> set_notify_interface(std::shared_ptr<Callback> callback) = 0;

  // Changes every setting `patch` names, all or none, in one commit (one round trip to a
  // daemon). The setters below are one-setting patches.
  virtual Result<void> update(const JobPatch& patch) = 0;

  Result<void> set_priority(Priority priority) {
    JobPatch patch;
    patch.priority = priority;
    return update(patch);
  }
  Result<void> set_no_progress_timeout(std::chrono::seconds timeout) {
    JobPatch patch;
    patch.no_progress_timeout = timeout;
    return update(patch);
  }
  Result<void> set_notify_flags(NotifyFlags flags) {
    JobPatch patch;
    patch.notify_flags = flags;
    return update(patch);
  }
  // HTTP options (IBackgroundCopyJobHttpOptions): headers sent with every origin request.
  Result<void> set_http_headers(std::vector<std::string> headers) {
    JobPatch patch;
    patch.http_headers = std::move(headers);
    return update(patch);
  }
  // SetDisplayName / SetDescription: at most 1024 bytes each, no control characters.
  Result<void> set_display_name(std::string name) {
    JobPatch patch;
    patch.display_name = std::move(name);
    return update(patch);
  }
  Result<void> set_description(std::string description) {
    JobPatch patch;
    patch.description = std::move(description);
    return update(patch);
  }
  // SetMinimumRetryDelay: from 1 ms to 1 day.
  Result<void> set_min_retry_delay(std::chrono::milliseconds delay) {
    JobPatch patch;
    patch.min_retry_delay = delay;
    return update(patch);
  }
  // SetNotifyCmdLine: argv[0] an absolute path, no shell; an empty list removes the command.
  Result<void> set_notify_cmd(std::vector<std::string> argv) {
    JobPatch patch;
    patch.notify_cmd = std::move(argv);
    return update(patch);
  }
  // SetProxySettings: see proxy_settings.h (checked with check_proxy_settings).
  Result<void> set_proxy_settings(ProxySettings proxy) {
    JobPatch patch;
    patch.proxy = std::move(proxy);
    return update(patch);
  }
  // Bandwidth cap for this job in bytes per second; 0 removes it.
  Result<void> set_max_bytes_per_second(std::uint64_t rate) {
    JobPatch patch;
    patch.max_bytes_per_second = rate;
    return update(patch);
  }
};

}  // namespace swarmcopy::api
