#include "retry_after.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace swarmcopy::engine::origin {
namespace {

// The longest wait returned. A job's no-progress timeout is at most 2^31-1 seconds, so a longer
// Retry-After ends the job no differently; and the engine adds the wait, in milliseconds, to
// steady_clock::now(), which counts nanoseconds in 64 bits (292 years) and must not overflow.
constexpr std::chrono::seconds kMaxWait{std::numeric_limits<std::int32_t>::max()};

}  // namespace

std::chrono::seconds parse_retry_after(std::string_view value,
                                       std::chrono::system_clock::time_point now) {
  if (value.empty()) return std::chrono::seconds{0};
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // Digits only: the one way to fail is a number beyond int64, a very long wait too.
    if (ec != std::errc{} || ptr != value.data() + value.size()) return kMaxWait;
    return std::min(std::chrono::seconds{seconds}, kMaxWait);
  }
  const std::string text(value);  // curl_getdate needs a terminated string
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::chrono::seconds{0};
  // when - now rounded down, in whole seconds: from_time_t(when) would count nanoseconds,
  // which overflow after the year 2262, and curl reads dates far beyond (year 97394 and more).
  const std::int64_t delta =
      static_cast<std::int64_t>(when) -
      std::chrono::ceil<std::chrono::seconds>(now.time_since_epoch()).count();
  return std::chrono::seconds{std::clamp<std::int64_t>(delta, 0, kMaxWait.count())};
}

}  // namespace swarmcopy::engine::origin
