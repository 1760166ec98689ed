#include "repeat_limiter.h"

#include <iterator>

namespace swarmcopy::cli {

bool RepeatLimiter::admit(const std::string& key, Clock::time_point now) {
  for (auto it = last_admitted_.begin(); it != last_admitted_.end();) {
    it = now - it->second >= interval_ ? last_admitted_.erase(it) : std::next(it);
  }
  if (last_admitted_.contains(key)) return false;
  last_admitted_.emplace(key, now);
  return true;
}

}  // namespace swarmcopy::cli
