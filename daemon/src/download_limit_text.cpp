#include "download_limit_text.h"

#include <charconv>
#include <cstdint>

namespace swarmcopy::daemon {
namespace {

template <class T>
bool parse_whole(std::string_view text, T& value) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end;
}

}  // namespace

std::expected<engine::DownloadLimit, std::string> parse_download_limit(std::string_view text) {
  engine::DownloadLimit limit;
  if (!text.empty() && text.back() == '%') {
    std::uint32_t percent = 0;
    if (!parse_whole(text.substr(0, text.size() - 1), percent) || percent < 1 || percent > 100) {
      return std::unexpected("expected a percentage from 1% to 100%, got \"" + std::string(text) +
                             "\"");
    }
    limit.percent = percent;
    return limit;
  }
  if (!parse_whole(text, limit.bytes_per_second)) {
    return std::unexpected(
        "expected 0 (none), bytes per second, or a percentage of the measured throughput "
        "(\"40%\"), got \"" +
        std::string(text) + "\"");
  }
  return limit;
}

std::string format_download_limit(const engine::DownloadLimit& limit) {
  if (limit.bytes_per_second > 0) return std::to_string(limit.bytes_per_second);
  if (limit.percent > 0) return std::to_string(limit.percent) + "%";
  return "0";
}

std::expected<std::pair<int, int>, std::string> parse_business_hours(std::string_view text) {
  if (text.empty()) return std::pair{0, 0};
  const auto dash = text.find('-');
  int begin = -1;
  int end = -1;
  if (dash == std::string_view::npos || !parse_whole(text.substr(0, dash), begin) ||
      !parse_whole(text.substr(dash + 1), end) || begin < 0 || begin > 23 || end < 0 || end > 24 ||
      begin == end % 24) {
    return std::unexpected(
        "expected BEGIN-END in whole hours of local time (\"8-17\"; \"22-6\" wraps past "
        "midnight), the two different, got \"" +
        std::string(text) + "\"");
  }
  return std::pair{begin, end % 24};
}

std::string format_business_hours(int begin, int end) {
  if (begin == end) return "";
  return std::to_string(begin) + "-" + std::to_string(end);
}

}  // namespace swarmcopy::daemon
