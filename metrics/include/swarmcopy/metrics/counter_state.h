// CounterState: the metrics that must survive restarts: the counters (series text
// `name{labels}` -> value, so new label values need no schema) and the daily totals by
// source (UTC days, "YYYY-MM-DD", at most kHistoryDays of them). Plain value types; the day
// helpers are pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "swarmcopy/api/job_times.h"

namespace swarmcopy::metrics {

// Days of history kept: older days are deleted at each checkpoint.
inline constexpr int kHistoryDays = 400;

struct DayTotals {
  std::uint64_t origin = 0;    // bytes of completed files from the origin
  std::uint64_t peers = 0;     // ... from peers
  std::uint64_t cache = 0;     // ... from the local cache
  std::uint64_t uploaded = 0;  // bytes served to peers
  bool operator==(const DayTotals&) const = default;
};

struct CounterState {
  std::map<std::string, std::uint64_t> counters;
  std::map<std::string, DayTotals> days;
  bool operator==(const CounterState&) const = default;
};

// The UTC day of `time`: "2026-12-06".
std::string utc_day(api::Clock::time_point time);
// The oldest day kept when `today` is the newest: today minus (kHistoryDays - 1) days.
std::string first_kept_day(std::string_view today);
// Drops the days before first_kept_day(today).
void trim_history(std::map<std::string, DayTotals>& days, std::string_view today);

}  // namespace swarmcopy::metrics
