// Fuzzes parse_retry_after (engine/src/origin/retry_after.h) and what the engine then does
// with its result (engine/src/engine.cpp, on a transient error; swarm_transfer.cpp, the
// origin's rest): the larger of the backoff and Retry-After, in milliseconds, added to
// steady_clock::now(). UndefinedBehaviorSanitizer turns any overflow on that way into a crash.
// Properties: never negative; a value of digits only gives at most that many seconds.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "retry_after.h"

namespace {

// A fixed "now" (2026-11-26T05:36:31Z) keeps every run of an input the same.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1795671391));
constexpr std::chrono::milliseconds kBackoff{10'000};  // the engine's min_retry_delay

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const std::chrono::seconds wait = swarmcopy::engine::origin::parse_retry_after(value, kNow);
  FUZZ_CHECK(wait.count() >= 0, "a negative wait");

  const auto delay = std::max<std::chrono::milliseconds>(kBackoff, wait);
  const auto retry_at = std::chrono::steady_clock::now() + delay;
  FUZZ_CHECK(retry_at >= std::chrono::steady_clock::now(), "the retry lies in the past");

  if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::uint64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc{} && wait.count() != 0) {
      FUZZ_CHECK(static_cast<std::uint64_t>(wait.count()) <= seconds,
                 "a wait longer than the origin asked for");
    }
  }
  return 0;
}
