// The activity page: one self-contained HTML document (inline CSS and SVG, no script, nothing
// fetched from anywhere: every byte comes in this answer) showing this month's bytes by source
// and uploads as a chart, the savings ratio, jobs by state, peers, cache use and, when the
// viewer is known (the socket), that viewer's live jobs with progress and sources. Every text
// that comes from outside (job names, URLs, paths) is HTML-escaped. Plain values; pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swarmcopy/metrics/counter_state.h"

namespace swarmcopy::daemon {

struct ActivityFile {
  std::string url;
  std::string path;
};

struct ActivityJob {
  std::string id;
  std::string name;
  std::string state;
  std::uint32_t owner_uid = 0;
  std::uint64_t bytes_transferred = 0;
  std::optional<std::uint64_t> bytes_total;
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t from_cache = 0;
  std::uint64_t uploaded = 0;
  std::uint32_t peers_connected = 0;
  std::vector<ActivityFile> files;
};

struct ActivityCache {
  std::uint64_t items = 0;
  std::uint64_t bytes = 0;
  std::uint64_t max_bytes = 0;
};

struct ActivityView {
  std::string generated;  // "2026-12-06 23:10:00 UTC"
  // Who looks: "uid 1000", "root (every user's jobs)"; empty: TCP, machine totals only.
  std::string viewer;
  // This month's days up to today, oldest first (the chart's bars).
  std::vector<std::pair<std::string, metrics::DayTotals>> month;
  metrics::DayTotals all_time;
  std::map<std::string, std::uint64_t> jobs_by_state;  // every user's: counts only
  std::uint64_t peers_connected = 0;
  std::optional<ActivityCache> cache;  // nullopt: the cache is disabled
  // Shown only when `viewer` is set: the viewer's live jobs (not ACKNOWLEDGED or CANCELLED).
  std::vector<ActivityJob> jobs;
  std::size_t jobs_left_out = 0;  // live jobs beyond the page's limit
};

// The page, a complete HTML5 document in UTF-8.
std::string render_activity_page(const ActivityView& view);

// `text` with &, <, >, " and ' replaced by entities (safe in element text and quoted
// attributes).
std::string escape_html(std::string_view text);
// "0 B", "512 B", "6.0 MiB", "1.2 GiB".
std::string format_bytes(std::uint64_t bytes);

}  // namespace swarmcopy::daemon
