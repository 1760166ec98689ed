#include "retry_delay.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

namespace swarmcopy::engine {
namespace {

using namespace std::chrono_literals;

TEST(RetryDelay, DoublesFromTheMinimumUpToTheMaximum) {
  const RetryDelays delays{10s, 60s};
  EXPECT_EQ(retry_delay(delays, 0, 0ms), 10s);
  EXPECT_EQ(retry_delay(delays, 1, 0ms), 20s);
  EXPECT_EQ(retry_delay(delays, 2, 0ms), 40s);
  EXPECT_EQ(retry_delay(delays, 3, 0ms), 60s);
  EXPECT_EQ(retry_delay(delays, std::numeric_limits<std::uint32_t>::max(), 0ms), 60s);
}

// SetMinimumRetryDelay above the engine's maximum: every wait is at least what the job asked.
TEST(RetryDelay, AJobMinimumAboveTheMaximumIsKept) {
  const RetryDelays delays{20min, 10min};
  EXPECT_EQ(retry_delay(delays, 0, 0ms), 20min);
  EXPECT_EQ(retry_delay(delays, 5, 0ms), 20min);
}

TEST(RetryDelay, RetryAfterLengthensButNeverShortens) {
  const RetryDelays delays{1s, 8s};
  EXPECT_EQ(retry_delay(delays, 0, 30s), 30s);
  EXPECT_EQ(retry_delay(delays, 2, 1ms), 4s);
}

}  // namespace
}  // namespace swarmcopy::engine
