// How long a job waits after a transient error before it tries again: exponential backoff from
// the minimum retry delay (the job's own, SetMinimumRetryDelay, else the engine's), capped at
// the engine's maximum, but never below the job's minimum (a job that asks for long waits gets
// them) nor below the origin's Retry-After. Pure; any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace swarmcopy::engine {

struct RetryDelays {
  std::chrono::milliseconds min;  // the first wait
  std::chrono::milliseconds max;  // the cap on doubling, unless min is above it
};

// `retries_so_far`: the retries of the current run of transient errors before this one.
std::chrono::milliseconds retry_delay(const RetryDelays& delays, std::uint32_t retries_so_far,
                                      std::chrono::milliseconds retry_after);

}  // namespace swarmcopy::engine
