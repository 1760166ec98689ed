// OriginBackoff: how long the swarm leaves a failing origin alone. The origin is one source among
// others, so a failure does not end the transfer: peers go on while it rests, 1 s after the
// first failure, doubling up to 30 s, never less than the origin's own Retry-After; a success
// starts the sequence again. Plain value type; times are passed in.
#pragma once

#include <chrono>

namespace swarmcopy::engine::swarm {

class OriginBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kMin{1000};
  static constexpr std::chrono::milliseconds kMax{30000};

  // A request succeeded.
  void succeeded() { backoff_ = std::chrono::milliseconds(0); }
  // A request failed at `now`; the origin asked for `retry_after` (zero: nothing). Returns how
  // long it rests.
  std::chrono::milliseconds failed(Clock::time_point now, std::chrono::seconds retry_after);
  bool resting(Clock::time_point now) const { return now < retry_at_; }

 private:
  std::chrono::milliseconds backoff_{0};
  Clock::time_point retry_at_{};
};

}  // namespace swarmcopy::engine::swarm
