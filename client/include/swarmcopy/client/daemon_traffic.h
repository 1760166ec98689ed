// DaemonTraffic: what GET /v1/traffic says: a swarmcopyd's bytes by source per UTC day (the
// machine's totals, every user's; no job, URL or path), and the call that asks. Used by
// `swarmcopy status`. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmcopy/api/error.h"

namespace swarmcopy::client {

struct TrafficTotals {
  std::string day;  // "YYYY-MM-DD" (UTC); empty for a sum over days
  std::uint64_t origin = 0;
  std::uint64_t peers = 0;
  std::uint64_t cache = 0;
  std::uint64_t uploaded = 0;
  std::uint64_t received() const { return origin + peers + cache; }
  // (peers + cache) / received; 0 when nothing was received.
  double savings_ratio() const;
};

struct DaemonTraffic {
  std::vector<TrafficTotals> days;  // the last N days, oldest first, today last
  TrafficTotals totals;             // over those days
  TrafficTotals all_time;           // over every day kept (400 at most)
};

// The traffic history's JSON (GET /v1/traffic's answer, metrics::traffic_json) read; nullopt
// when it has no "days" list.
std::optional<DaemonTraffic> traffic_from_json(const nlohmann::json& json);

// kInvalidArgument when `days` is out of 1..400; kUnavailable when no daemon answers.
api::Result<DaemonTraffic> daemon_traffic(
    const std::filesystem::path& socket, int days,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace swarmcopy::client
