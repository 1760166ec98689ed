// RFC 3339 times for the wire: always UTC, always nine fraction digits on output, so a
// time_point of the system clock (nanoseconds on this platform) survives the round trip
// exactly. Input may carry 0 to 9 fraction digits and a numeric offset.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

#include "object_reader.h"
#include "swarmcopy/ipc/codec.h"
#include "time_json.h"

namespace swarmcopy::ipc {
namespace {

using Nanos = std::chrono::nanoseconds;

// Reads exactly `count` decimal digits at `pos`; -1 when they are not all digits.
int digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool is_char(std::string_view text, std::size_t pos, char a, char b = '\0') {
  return pos < text.size() && (text[pos] == a || (b != '\0' && text[pos] == b));
}

api::Result<api::Clock::time_point> parse_rfc3339(std::string_view text, const std::string& where) {
  const auto bad = [&](const std::string& why) {
    return field_error(where, "not an RFC 3339 time (" + why + "): \"" + std::string(text) + "\"");
  };
  // YYYY-MM-DDTHH:MM:SS
  const int year = digits(text, 0, 4);
  const int month = digits(text, 5, 2);
  const int day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2);
  const int minute = digits(text, 14, 2);
  const int second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 ||
      !is_char(text, 4, '-') || !is_char(text, 7, '-') || !is_char(text, 10, 'T', 't') ||
      !is_char(text, 13, ':') || !is_char(text, 16, ':')) {
    return bad("expected YYYY-MM-DDTHH:MM:SS");
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  // A leap second (:60) has no time_point of its own: refused rather than shifted.
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return bad("no such date or time");
  std::size_t pos = 19;
  std::int64_t fraction_ns = 0;
  if (is_char(text, pos, '.')) {
    ++pos;
    std::size_t count = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++count > 9) return bad("more than 9 fraction digits");
      fraction_ns = fraction_ns * 10 + (text[pos] - '0');
      ++pos;
    }
    if (count == 0) return bad("empty fraction");
    for (std::size_t i = count; i < 9; ++i) fraction_ns *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (is_char(text, pos, 'Z', 'z')) {
    ++pos;
  } else if (is_char(text, pos, '+', '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    const int oh = digits(text, pos + 1, 2);
    const int om = digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || !is_char(text, pos + 3, ':') || oh > 23 || om > 59) {
      return bad("bad offset");
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad("missing Z or offset");
  }
  if (pos != text.size()) return bad("trailing characters");

  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  // The clock counts nanoseconds in 64 bits: about 1677-09-21 to 2262-04-11.
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
  if (seconds >= kMaxSeconds || seconds <= -kMaxSeconds) return bad("outside 1678..2261");
  return api::Clock::time_point(std::chrono::duration_cast<api::Clock::duration>(
      Nanos(seconds * 1'000'000'000 + fraction_ns)));
}

}  // namespace

nlohmann::json time_to_json(api::Clock::time_point time) {
  // The api's "has not happened yet" is the epoch; on the wire it is null.
  if (time == api::Clock::time_point{}) return nullptr;
  const auto since_epoch = std::chrono::duration_cast<Nanos>(time.time_since_epoch());
  const auto days = std::chrono::floor<std::chrono::days>(since_epoch);
  const std::chrono::year_month_day date{std::chrono::sys_days(days)};
  const std::chrono::hh_mm_ss<Nanos> clock{since_epoch - days};
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02lld.%09lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<long long>(clock.seconds().count()),
                static_cast<long long>(clock.subseconds().count()));
  return std::string(text);
}

api::Result<api::Clock::time_point> time_from_json(const nlohmann::json& value) {
  return time_from_json_at(value, "time");
}

api::Result<api::Clock::time_point> time_from_json_at(const nlohmann::json& value,
                                                      const std::string& where) {
  if (value.is_null()) return api::Clock::time_point{};
  if (!value.is_string()) {
    return field_error(where, "expected an RFC 3339 time or null, got " + type_name(value));
  }
  return parse_rfc3339(value.get_ref<const std::string&>(), where);
}

}  // namespace swarmcopy::ipc
