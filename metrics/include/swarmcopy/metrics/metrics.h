// Metrics: the daemon's counters of what the engine did, fed by its job events, kept across
// restarts (MetricsStore), and written as Prometheus text (with the live gauges the caller
// reads from the engine at scrape time: LiveGauges).
//
// Where bytes are counted: when a file completes (its kFileTransferred event), its per-source
// counts (api::FileStatus from_origin / from_peers / from_cache, each byte of the file counted
// once, by the first source it came from) are added to the totals, with the bytes uploaded to
// peers while it transferred. So a file counts once however often it was interrupted, resumed
// or refetched, and the totals of a fleet add up to the bytes of the files it got; a file that
// fails or is cancelled adds nothing (its refetched bytes and the network's waste show in
// swarmcopy_refetched_bytes_total once it completes). The day of a file's bytes is the UTC day
// it completed on.
//
// Thread-safe (one mutex): events come on the engine's notification thread, scrapes on the
// handler pool and the metrics listener, checkpoints from the main thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "swarmcopy/api/job_times.h"
#include "swarmcopy/engine/service.h"
#include "swarmcopy/metrics/counter_state.h"
#include "swarmcopy/metrics/metrics_store.h"
#include "swarmcopy/metrics/prometheus_text.h"

namespace swarmcopy::metrics {

// What a scrape reads from the engine and the process at that moment.
struct LiveGauges {
  std::map<std::string, std::uint64_t> jobs_by_state;  // every state, 0 included
  std::uint64_t peers_connected = 0;
  bool cache_enabled = false;
  std::uint64_t cache_items = 0;
  std::uint64_t cache_bytes = 0;
  std::uint64_t cache_max_bytes = 0;
  // How long a trivial call (the job count) took to run on the engine thread: its queue's lag.
  std::optional<double> engine_lag_seconds;
  std::optional<double> cpu_seconds;
  std::optional<std::uint64_t> resident_bytes;
  double start_time_seconds = 0;
};

class Metrics {
 public:
  using Now = std::function<api::Clock::time_point()>;

  // Starts from what `store` holds (nullptr: in memory only, for tests).
  static api::Result<std::unique_ptr<Metrics>> open(
      std::unique_ptr<MetricsStore> store, Now now = [] { return api::Clock::now(); });

  void on_event(const engine::JobEvent& event);
  // The cache's hits, misses and evictions since it was opened (CacheStats): the increase since
  // the last call is added to the persisted counters.
  void observe_cache(std::uint64_t hits, std::uint64_t misses, std::uint64_t evictions);
  // The engine's origin requests and peer bans since it opened (engine::NetworkTally): the
  // increase since the last call is added likewise.
  void observe_network(const engine::NetworkTally& tally);

  // Writes the state to the store (a no-op without one).
  api::Result<void> checkpoint();

  std::string render(const LiveGauges& live) const;

  CounterState state() const;
  // The last `days` UTC days (today included), oldest first; days without traffic included.
  std::vector<std::pair<std::string, DayTotals>> history(int days) const;

 private:
  Metrics(std::unique_ptr<MetricsStore> store, CounterState state, Now now)
      : store_(std::move(store)), state_(std::move(state)), now_(std::move(now)) {}
  void add(const std::string& name, const Labels& labels, std::uint64_t value);

  mutable std::mutex mutex_;
  std::unique_ptr<MetricsStore> store_;
  CounterState state_;
  Now now_;
  std::uint64_t cache_hits_seen_ = 0;
  std::uint64_t cache_misses_seen_ = 0;
  std::uint64_t cache_evictions_seen_ = 0;
  std::uint64_t requests_seen_ = 0;
  std::map<std::string, std::uint64_t> failures_seen_;
  std::uint64_t banned_seen_ = 0;
};

// CPU seconds (user + system) and resident bytes of this process, from /proc/self.
std::optional<double> process_cpu_seconds();
std::optional<std::uint64_t> process_resident_bytes();
// Seconds since the epoch this process started.
double process_start_time_seconds();

}  // namespace swarmcopy::metrics
