// RateLimiter: a token bucket per uid, so one local user cannot flood the daemon however many
// connections it opens. Each request takes a token; tokens come back at `rate` per second up
// to `burst`. A rate of 0 means unlimited. Thread-safe; set_limits() applies at once (SIGHUP).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace swarmcopy::daemon {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate, std::uint32_t burst) : rate_(rate), burst_(burst) {}

  // True when `uid` may make one more request now.
  bool try_acquire(std::uint32_t uid, Clock::time_point now = Clock::now());
  void set_limits(double rate, std::uint32_t burst);
  double rate() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };

  mutable std::mutex mutex_;
  double rate_;
  std::uint32_t burst_;
  std::unordered_map<std::uint32_t, Bucket> buckets_;
};

}  // namespace swarmcopy::daemon
