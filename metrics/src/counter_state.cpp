#include "swarmcopy/metrics/counter_state.h"

#include <chrono>
#include <cstdio>

namespace swarmcopy::metrics {
namespace {

std::string format_day(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd{day};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

}  // namespace

std::string utc_day(api::Clock::time_point time) {
  return format_day(std::chrono::floor<std::chrono::days>(time));
}

std::string first_kept_day(std::string_view today) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  const std::string text(today);
  if (std::sscanf(text.c_str(), "%d-%u-%u", &year, &month, &day) != 3) return text;
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                        std::chrono::day(day)};
  if (!ymd.ok()) return text;
  return format_day(std::chrono::sys_days(ymd) - std::chrono::days(kHistoryDays - 1));
}

void trim_history(std::map<std::string, DayTotals>& days, std::string_view today) {
  const auto first = first_kept_day(today);
  days.erase(days.begin(), days.lower_bound(first));
}

}  // namespace swarmcopy::metrics
