#include "origin_backoff.h"

#include <algorithm>

namespace swarmcopy::engine::swarm {

std::chrono::milliseconds OriginBackoff::failed(Clock::time_point now,
                                                std::chrono::seconds retry_after) {
  backoff_ = std::clamp<std::chrono::milliseconds>(backoff_ * 2, kMin, kMax);
  const auto wait = std::max<std::chrono::milliseconds>(backoff_, retry_after);
  retry_at_ = now + wait;
  return wait;
}

}  // namespace swarmcopy::engine::swarm
