// JobState (BG_JOB_STATE) and the small enums of the job model: JobType and Priority. Their
// string forms are part of the JSON / IPC contract: states upper case as job-model.md spells
// them ("TRANSIENT_ERROR"), priorities lower case ("foreground").
#pragma once

#include <optional>
#include <string_view>

namespace swarmcopy::api {

enum class JobState {
  kQueued,
  kConnecting,
  kTransferring,
  kSuspended,
  kError,
  kTransientError,
  kTransferred,
  kAcknowledged,
  kCancelled,
};

enum class JobType { kDownload };

enum class Priority { kForeground, kHigh, kNormal, kLow };

std::string_view to_string(JobState state);
std::string_view to_string(JobType type);
std::string_view to_string(Priority priority);
std::optional<JobState> parse_job_state(std::string_view text);
std::optional<Priority> parse_priority(std::string_view text);
std::optional<JobType> parse_job_type(std::string_view text);

// ACKNOWLEDGED or CANCELLED: nothing but getters is allowed any more.
constexpr bool is_final(JobState state) {
  return state == JobState::kAcknowledged || state == JobState::kCancelled;
}
// QUEUED, CONNECTING, TRANSFERRING or TRANSIENT_ERROR: the engine is working on the job.
constexpr bool is_active(JobState state) {
  return state == JobState::kQueued || state == JobState::kConnecting ||
         state == JobState::kTransferring || state == JobState::kTransientError;
}

}  // namespace swarmcopy::api
