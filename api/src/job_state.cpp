#include "swarmcopy/api/job_state.h"

#include "name_table.h"

#include <array>
#include <utility>

namespace swarmcopy::api {
namespace {

constexpr NameTable<JobState, 9> kStateNames{{
    {JobState::kQueued, "QUEUED"},
    {JobState::kConnecting, "CONNECTING"},
    {JobState::kTransferring, "TRANSFERRING"},
    {JobState::kSuspended, "SUSPENDED"},
    {JobState::kError, "ERROR"},
    {JobState::kTransientError, "TRANSIENT_ERROR"},
    {JobState::kTransferred, "TRANSFERRED"},
    {JobState::kAcknowledged, "ACKNOWLEDGED"},
    {JobState::kCancelled, "CANCELLED"},
}};

constexpr NameTable<Priority, 4> kPriorityNames{{
    {Priority::kForeground, "foreground"},
    {Priority::kHigh, "high"},
    {Priority::kNormal, "normal"},
    {Priority::kLow, "low"},
}};

}  // namespace

std::string_view to_string(JobState state) { return name_of(state, kStateNames, "UNKNOWN"); }

std::string_view to_string(JobType) { return "DOWNLOAD"; }

std::string_view to_string(Priority priority) { return name_of(priority, kPriorityNames); }

std::optional<JobState> parse_job_state(std::string_view text) {
  return value_of(text, kStateNames);
}

std::optional<Priority> parse_priority(std::string_view text) {
  return value_of(text, kPriorityNames);
}

std::optional<JobType> parse_job_type(std::string_view text) {
  if (text == "DOWNLOAD") return JobType::kDownload;
  return std::nullopt;
}

}  // namespace swarmcopy::api
