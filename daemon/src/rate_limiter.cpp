#include "rate_limiter.h"

#include <algorithm>

namespace swarmcopy::daemon {

bool RateLimiter::try_acquire(std::uint32_t uid, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (rate_ <= 0) return true;
  auto [it, inserted] = buckets_.try_emplace(uid);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = burst_;
  } else {
    const std::chrono::duration<double> elapsed = now - bucket.updated;
    bucket.tokens = std::min<double>(burst_, bucket.tokens + elapsed.count() * rate_);
  }
  bucket.updated = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

void RateLimiter::set_limits(double rate, std::uint32_t burst) {
  std::lock_guard lock(mutex_);
  rate_ = rate;
  burst_ = burst;
  // New limits start from a full bucket: the simplest fair answer to a changed burst.
  buckets_.clear();
}

double RateLimiter::rate() const {
  std::lock_guard lock(mutex_);
  return rate_;
}

}  // namespace swarmcopy::daemon
