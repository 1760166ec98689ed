// MetricsStore: the daemon's counters and daily history in SQLite, in their own file of the
// state directory (`metrics.sqlite`; the engine's job store stays the engine's). The daemon
// checkpoints the whole CounterState every few seconds and at a clean stop, in one transaction
// (a kill -9 loses at most the last interval, never half of one); days before the kept window
// are deleted in the same transaction. One thread at a time (Metrics serializes calls).
#pragma once

#include <filesystem>
#include <string_view>

#include "swarmcopy/api/error.h"
#include "swarmcopy/metrics/counter_state.h"
#include "swarmcopy/sqlite/connection.h"

namespace swarmcopy::metrics {

class MetricsStore {
 public:
  // Opens (creating) `file` and its tables.
  static api::Result<MetricsStore> open(const std::filesystem::path& file);

  api::Result<CounterState> load();
  // Replaces the stored values by `state`'s and deletes days before first_kept_day(today).
  api::Result<void> save(const CounterState& state, std::string_view today);

 private:
  explicit MetricsStore(sqlite::SqliteConnection db) : db_(std::move(db)) {}
  sqlite::SqliteConnection db_;
};

}  // namespace swarmcopy::metrics
