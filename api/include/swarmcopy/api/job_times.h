// JobTimes (BG_JOB_TIMES). A time that has not happened yet is the zero time point (the epoch):
// transfer_completion_time stays zero until the job is TRANSFERRED.
#pragma once

#include <chrono>

namespace swarmcopy::api {

using Clock = std::chrono::system_clock;

struct JobTimes {
  Clock::time_point creation_time{};
  Clock::time_point modification_time{};
  Clock::time_point transfer_completion_time{};
  bool operator==(const JobTimes&) const = default;
};

}  // namespace swarmcopy::api
