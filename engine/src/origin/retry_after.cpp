#include "origin/retry_after.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace swarmcopy::engine::origin {

std::chrono::seconds parse_retry_after(std::string_view value,
                                       std::chrono::system_clock::time_point now) {
  if (value.empty()) return std::chrono::seconds{0};
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // An absurd number (overflow) is as useless as none; the scheduler has its own backoff.
    if (ec != std::errc{} || ptr != value.data() + value.size()) return std::chrono::seconds{0};
    return std::chrono::seconds{seconds};
  }
  const std::string text(value);  // curl_getdate needs a terminated string
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::chrono::seconds{0};
  const auto delta = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::from_time_t(when) - now);
  return std::max(delta, std::chrono::seconds{0});
}

}  // namespace swarmcopy::engine::origin
