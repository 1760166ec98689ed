#include "swarmcopy/api/job_state.h"

#include <array>
#include <utility>

namespace swarmcopy::api {
namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 9> kStateNames{{
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

constexpr std::array<std::pair<Priority, std::string_view>, 4> kPriorityNames{{
    {Priority::kForeground, "foreground"},
    {Priority::kHigh, "high"},
    {Priority::kNormal, "normal"},
    {Priority::kLow, "low"},
}};

}  // namespace

std::string_view to_string(JobState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "UNKNOWN";
}

std::string_view to_string(JobType) { return "DOWNLOAD"; }

std::string_view to_string(Priority priority) {
  for (const auto& [value, name] : kPriorityNames) {
    if (value == priority) return name;
  }
  return "unknown";
}

std::optional<JobState> parse_job_state(std::string_view text) {
  for (const auto& [value, name] : kStateNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::optional<Priority> parse_priority(std::string_view text) {
  for (const auto& [value, name] : kPriorityNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace swarmcopy::api
