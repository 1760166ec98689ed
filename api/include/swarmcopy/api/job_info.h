// JobInfo: one consistent snapshot of everything a job's getters report, taken in one call.
// The CLI and the daemon use it to print a job object without a dozen round trips.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_state.h"
#include "swarmcopy/api/job_times.h"
#include "swarmcopy/api/notify_flags.h"
#include "swarmcopy/api/progress.h"
#include "swarmcopy/api/proxy_settings.h"

namespace swarmcopy::api {

struct JobInfo {
  JobId id;
  std::string display_name;
  std::string description;  // "" until set (SetDescription)
  JobType type = JobType::kDownload;
  JobState state = JobState::kSuspended;
  Priority priority = Priority::kNormal;
  Progress progress;
  JobTimes times;
  std::optional<Error> error;  // set in ERROR and TRANSIENT_ERROR
  std::chrono::seconds no_progress_timeout{};
  NotifyFlags notify_flags = kDefaultNotifyFlags;
  std::vector<std::string> http_headers;   // "Name: value", sent with every origin request
  std::uint64_t max_bytes_per_second = 0;  // 0 = no job-specific limit
  // The wait after the first transient error of a run, doubling after each further one
  // (the job's own, else the engine's default).
  std::chrono::milliseconds min_retry_delay{};
  std::uint32_t error_count = 0;        // GetErrorCount: transient errors over the job's life
  std::vector<std::string> notify_cmd;  // empty: none
  // How its last run ended: the exit code, 128 + signal (killed, e.g. at its timeout), 126
  // (the owner's credentials could not be taken) or 127 (could not be started); nullopt: it
  // has not run, or runs now.
  std::optional<int> notify_cmd_status;
  // GetProxySettings. From the engine as set (credentials included: the caller's own); the
  // daemon's answers carry the proxy URL masked (mask_proxy_url).
  ProxySettings proxy;
  std::uint32_t owner_uid = 0;
  std::vector<FileStatus> files;
};

}  // namespace swarmcopy::api
