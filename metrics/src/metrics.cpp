#include "swarmcopy/metrics/metrics.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "swarmcopy/api/download_mode.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::metrics {
namespace {

struct Family {
  const char* name;
  const char* help;
  bool labelled;  // without labels, a family never counted yet is written as 0
};

// The persisted counters, in the order they are written.
constexpr Family kCounters[] = {
    {"swarmcopy_received_bytes_total",
     "Bytes of completed files by the source they came from first (origin, peers, cache) and "
     "download mode; each byte of a file counted once, when the file completes",
     true},
    {"swarmcopy_saved_bytes_total",
     "Bytes of completed files not fetched from the origin (from peers or the local cache)", false},
    {"swarmcopy_refetched_bytes_total",
     "Bytes of completed files that came over the network again (resumed after a crash, an "
     "origin ignoring Range, a failed hash check), by download mode",
     true},
    {"swarmcopy_uploaded_bytes_total",
     "Payload bytes uploaded to peers while a file transferred, by download mode (counted when "
     "the file completes)",
     true},
    {"swarmcopy_files_completed_total", "Files transferred and verified, by download mode", true},
    {"swarmcopy_files_failed_total",
     "Failures that put a job in ERROR, by the error's kind and context (job-model.md)", true},
    {"swarmcopy_cache_hits_total", "Content cache lookups that found the content", false},
    {"swarmcopy_cache_misses_total", "Content cache lookups that did not", false},
    {"swarmcopy_cache_evictions_total",
     "Content cache items removed to keep within its size and age limits", false},
    {"swarmcopy_origin_requests_total",
     "HTTP requests to origins that ended, succeeded or failed (probes and ranges alike)", false},
    {"swarmcopy_origin_errors_total",
     "Failed HTTP requests to origins by class (http_4xx, http_5xx, http_other, transport, "
     "content, refused, local, other)",
     true},
    {"swarmcopy_peers_seen_total",
     "Peers each completed file connected to, added when the file completes", false},
    {"swarmcopy_peers_banned_total",
     "Bans: a peer cut off for data that failed a hash check (banned again when heard again: "
     "counted again), or the supplier of a metainfo claim the content refuted",
     false},
};

// The increase of a count kept since some start: below the last value, it started again.
std::uint64_t increase(std::uint64_t now, std::uint64_t& seen) {
  const auto added = now >= seen ? now - seen : now;
  seen = now;
  return added;
}

std::string series_key(const std::string& name, const Labels& labels) {
  return name + format_labels(labels);
}

bool has_name(const std::string& series, std::string_view name) {
  if (!series.starts_with(name)) return false;
  return series.size() == name.size() || series[name.size()] == '{';
}

// Fields of /proc/self/stat after the command name (which may hold spaces): field 3 first.
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

}  // namespace

api::Result<std::unique_ptr<Metrics>> Metrics::open(std::unique_ptr<MetricsStore> store, Now now) {
  CounterState state;
  if (store) {
    auto loaded = store->load();
    if (!loaded) return std::unexpected(loaded.error());
    state = std::move(*loaded);
  }
  return std::unique_ptr<Metrics>(new Metrics(std::move(store), std::move(state), std::move(now)));
}

void Metrics::add(const std::string& name, const Labels& labels, std::uint64_t value) {
  state_.counters[series_key(name, labels)] += value;
}

void Metrics::on_event(const engine::JobEvent& event) {
  std::lock_guard lock(mutex_);
  if (event.type == engine::JobEvent::Type::kFileTransferred && event.file) {
    const auto& file = *event.file;
    const std::string mode(api::to_string(file.mode));
    add("swarmcopy_received_bytes_total", {{"source", "origin"}, {"mode", mode}}, file.from_origin);
    add("swarmcopy_received_bytes_total", {{"source", "peers"}, {"mode", mode}}, file.from_peers);
    add("swarmcopy_received_bytes_total", {{"source", "cache"}, {"mode", mode}}, file.from_cache);
    add("swarmcopy_saved_bytes_total", {}, file.from_peers + file.from_cache);
    add("swarmcopy_refetched_bytes_total", {{"mode", mode}}, file.refetched);
    add("swarmcopy_uploaded_bytes_total", {{"mode", mode}}, file.uploaded);
    add("swarmcopy_files_completed_total", {{"mode", mode}}, 1);
    add("swarmcopy_peers_seen_total", {}, file.peers_seen);
    auto& day = state_.days[utc_day(now_())];
    day.origin += file.from_origin;
    day.peers += file.from_peers;
    day.cache += file.from_cache;
    day.uploaded += file.uploaded;
  } else if (event.type == engine::JobEvent::Type::kError && event.error) {
    add("swarmcopy_files_failed_total",
        {{"kind", std::string(api::to_string(event.error->kind))},
         {"context", std::string(api::to_string(event.error->context))}},
        1);
  }
}

void Metrics::observe_cache(std::uint64_t hits, std::uint64_t misses, std::uint64_t evictions) {
  std::lock_guard lock(mutex_);
  add("swarmcopy_cache_hits_total", {}, increase(hits, cache_hits_seen_));
  add("swarmcopy_cache_misses_total", {}, increase(misses, cache_misses_seen_));
  add("swarmcopy_cache_evictions_total", {}, increase(evictions, cache_evictions_seen_));
}

void Metrics::observe_network(const engine::NetworkTally& tally) {
  std::lock_guard lock(mutex_);
  add("swarmcopy_origin_requests_total", {}, increase(tally.origin_requests, requests_seen_));
  for (const auto& [kind, count] : tally.origin_failures) {
    add("swarmcopy_origin_errors_total", {{"class", kind}}, increase(count, failures_seen_[kind]));
  }
  add("swarmcopy_peers_banned_total", {}, increase(tally.peers_banned, banned_seen_));
}

api::Result<void> Metrics::checkpoint() {
  std::lock_guard lock(mutex_);
  const auto today = utc_day(now_());
  trim_history(state_.days, today);
  if (!store_) return {};
  return store_->save(state_, today);
}

CounterState Metrics::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::vector<std::pair<std::string, DayTotals>> Metrics::history(int days) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, DayTotals>> out;
  const auto today = std::chrono::floor<std::chrono::days>(now_());
  for (int back = days - 1; back >= 0; --back) {
    const auto day = utc_day(today - std::chrono::days(back));
    const auto found = state_.days.find(day);
    out.emplace_back(day, found == state_.days.end() ? DayTotals{} : found->second);
  }
  return out;
}

std::string Metrics::render(const LiveGauges& live) const {
  PrometheusText out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& family : kCounters) {
      out.family(family.name, family.help, "counter");
      bool any = false;
      for (auto it = state_.counters.lower_bound(family.name);
           it != state_.counters.end() && it->first.starts_with(family.name); ++it) {
        if (!has_name(it->first, family.name)) continue;
        // The series text is already escaped: written as stored.
        out.sample(it->first, {}, it->second);
        any = true;
      }
      if (!any && !family.labelled) out.sample(family.name, {}, std::uint64_t{0});
    }
  }
  out.family("swarmcopy_jobs", "Jobs in the store by state (every user's)", "gauge");
  for (const auto& [state, count] : live.jobs_by_state) {
    out.sample("swarmcopy_jobs", {{"state", state}}, count);
  }
  out.family("swarmcopy_peers_connected", "Peers connected to the files of active jobs", "gauge");
  out.sample("swarmcopy_peers_connected", {}, live.peers_connected);
  if (live.cache_enabled) {
    out.family("swarmcopy_cache_size_bytes", "Bytes held by the content cache", "gauge");
    out.sample("swarmcopy_cache_size_bytes", {}, live.cache_bytes);
    out.family("swarmcopy_cache_items", "Items in the content cache", "gauge");
    out.sample("swarmcopy_cache_items", {}, live.cache_items);
    out.family("swarmcopy_cache_max_bytes", "The content cache's size limit", "gauge");
    out.sample("swarmcopy_cache_max_bytes", {}, live.cache_max_bytes);
  }
  if (live.engine_lag_seconds) {
    out.family("swarmcopy_engine_loop_lag_seconds",
               "How long a trivial call waited for and ran on the engine thread, at this scrape",
               "gauge");
    out.sample("swarmcopy_engine_loop_lag_seconds", {}, *live.engine_lag_seconds);
  }
  if (live.cpu_seconds) {
    out.family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
               "counter");
    out.sample("process_cpu_seconds_total", {}, *live.cpu_seconds);
  }
  if (live.resident_bytes) {
    out.family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
    out.sample("process_resident_memory_bytes", {}, *live.resident_bytes);
  }
  out.family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             "gauge");
  out.sample("process_start_time_seconds", {}, live.start_time_seconds);
  return out.text();
}

std::optional<double> process_cpu_seconds() {
  const auto fields = stat_fields();
  // utime and stime are fields 14 and 15 of the line; fields_[0] is field 3.
  if (fields.size() < 13) return std::nullopt;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  if (ticks <= 0) return std::nullopt;
  try {
    return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::uint64_t> process_resident_bytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("VmRSS:")) continue;
    std::istringstream fields(line.substr(6));
    std::uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  return std::nullopt;
}

double process_start_time_seconds() {
  const auto fields = stat_fields();
  // starttime is field 22 (clock ticks after boot); the boot time is /proc/stat's btime.
  if (fields.size() < 20) return 0;
  std::ifstream in("/proc/stat");
  double boot = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("btime ")) boot = std::stod(line.substr(6));
  }
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  if (ticks <= 0) return boot;
  try {
    return boot + std::stod(fields[19]) / ticks;
  } catch (const std::exception&) {
    return boot;
  }
}

}  // namespace swarmcopy::metrics
