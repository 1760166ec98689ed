#include "retry_delay.h"

#include <algorithm>

namespace swarmcopy::engine {

std::chrono::milliseconds retry_delay(const RetryDelays& delays, std::uint32_t retries_so_far,
                                      std::chrono::milliseconds retry_after) {
  const auto cap = std::max(delays.min, delays.max);
  auto delay = delays.min;
  // Doubling stops at the cap, so the loop is short and nothing overflows.
  for (std::uint32_t i = 0; i < retries_so_far && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  return std::max(delay, retry_after);
}

}  // namespace swarmcopy::engine
