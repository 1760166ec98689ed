#include "swarmcopy/apt/http_date.h"

#include <array>
#include <cstdio>
#include <cstring>

namespace swarmcopy::apt {
namespace {

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int month_index(const char* name) {
  for (int i = 0; i < 12; ++i) {
    if (std::strncmp(name, kMonths[i], 3) == 0) return i;
  }
  return -1;
}

}  // namespace

std::string format_http_date(std::time_t time) {
  std::tm tm{};
  ::gmtime_r(&time, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
  const std::string s(text.substr(0, 100));
  std::tm tm{};
  char month[4] = {};
  char wday[16] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  bool ok = false;
  // RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (std::sscanf(s.c_str(), "%3s, %d %3s %d %d:%d:%d GMT", wday, &day, month, &year, &hour,
                  &minute, &second) == 7) {
    ok = true;
  } else if (std::sscanf(s.c_str(), "%15[A-Za-z], %d-%3s-%d %d:%d:%d GMT", wday, &day, month, &year,
                         &hour, &minute, &second) == 7) {  // RFC 850
    year += year < 70 ? 2000 : (year < 100 ? 1900 : 0);
    ok = true;
  } else if (std::sscanf(s.c_str(), "%3s %3s %d %d:%d:%d %d", wday, month, &day, &hour, &minute,
                         &second, &year) == 7) {  // asctime
    ok = true;
  }
  if (!ok) return std::nullopt;
  const int mon = month_index(month);
  if (mon < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || year < 1970) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = mon;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return ::timegm(&tm);
}

}  // namespace swarmcopy::apt
