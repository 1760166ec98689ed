// The swarm's origin backoff: doubling from 1 s to 30 s, the origin's Retry-After respected, a
// success starting over.
#include "swarm/origin_backoff.h"

#include <gtest/gtest.h>

namespace swarmcopy::engine::swarm {
namespace {

using namespace std::chrono_literals;

TEST(OriginBackoff, DoublesUpToItsLimitAndStartsOverAfterASuccess) {
  OriginBackoff backoff;
  const auto t0 = OriginBackoff::Clock::now();
  EXPECT_FALSE(backoff.resting(t0));
  EXPECT_EQ(backoff.failed(t0, 0s), 1s);
  EXPECT_TRUE(backoff.resting(t0 + 999ms));
  EXPECT_FALSE(backoff.resting(t0 + 1s));
  EXPECT_EQ(backoff.failed(t0, 0s), 2s);
  EXPECT_EQ(backoff.failed(t0, 0s), 4s);
  for (int i = 0; i < 10; ++i) backoff.failed(t0, 0s);
  EXPECT_EQ(backoff.failed(t0, 0s), 30s);
  backoff.succeeded();
  EXPECT_EQ(backoff.failed(t0, 0s), 1s);
}

TEST(OriginBackoff, TheOriginsRetryAfterWinsWhenLonger) {
  OriginBackoff backoff;
  const auto t0 = OriginBackoff::Clock::now();
  EXPECT_EQ(backoff.failed(t0, 120s), 120s);
  EXPECT_TRUE(backoff.resting(t0 + 119s));
  EXPECT_EQ(backoff.failed(t0, 1s), 2s);  // its own sequence went on meanwhile
}

}  // namespace
}  // namespace swarmcopy::engine::swarm
