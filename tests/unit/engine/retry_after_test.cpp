#include "retry_after.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>

namespace swarmcopy::engine::origin {
namespace {

using namespace std::chrono_literals;

// 2026-11-26T05:36:31.25Z: a fraction, as a real clock has.
const auto kNow = std::chrono::system_clock::time_point(1795671391s + 250ms);
constexpr std::chrono::seconds kMaxWait{std::numeric_limits<std::int32_t>::max()};

TEST(ParseRetryAfter, ReadsSecondsAndDates) {
  EXPECT_EQ(parse_retry_after("120", kNow), 120s);
  EXPECT_EQ(parse_retry_after("Thu, 26 Nov 2026 06:36:31 GMT", kNow), 3599s);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", kNow), 0s);  // in the past
  EXPECT_EQ(parse_retry_after("", kNow), 0s);
  EXPECT_EQ(parse_retry_after("soon", kNow), 0s);
}

// Found by tests/fuzz (origin_retry_after): curl_getdate reads years far past 2262, and
// system_clock::from_time_t overflowed its nanoseconds (undefined behaviour).
TEST(ParseRetryAfter, DateFarInTheFutureIsTheLongestWaitWithoutOverflow) {
  EXPECT_EQ(parse_retry_after("Sun Nov6 08:49:1 97394", kNow), kMaxWait);
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", kNow), kMaxWait);
}

// The engine adds the wait, in milliseconds, to steady_clock::now(): a wait of ~10^11 s or
// more overflowed there. No wait longer than the longest no-progress timeout matters.
TEST(ParseRetryAfter, HugeSecondsAreTheLongestWait) {
  EXPECT_EQ(parse_retry_after("99999999999", kNow), kMaxWait);
  EXPECT_EQ(parse_retry_after("9223372036854775807", kNow), kMaxWait);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", kNow), kMaxWait);
  const std::chrono::milliseconds wait = parse_retry_after("9223372036854775807", kNow);
  EXPECT_GT(std::chrono::steady_clock::now() + wait, std::chrono::steady_clock::now());
}

}  // namespace
}  // namespace swarmcopy::engine::origin
