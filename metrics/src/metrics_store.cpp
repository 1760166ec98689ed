#include "swarmcopy/metrics/metrics_store.h"

#include <utility>

#include "swarmcopy/sqlite/transaction.h"

namespace swarmcopy::metrics {
namespace {

constexpr const char* kSchema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS counters(series TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS daily(day TEXT PRIMARY KEY, origin INTEGER NOT NULL,"
    " peers INTEGER NOT NULL, cache INTEGER NOT NULL, uploaded INTEGER NOT NULL);";

std::int64_t as_int(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::uint64_t as_count(std::int64_t value) {
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

}  // namespace

api::Result<MetricsStore> MetricsStore::open(const std::filesystem::path& file) {
  auto db = sqlite::SqliteConnection::open(file, "cannot open the metrics database");
  if (!db) return std::unexpected(db.error());
  sqlite3_busy_timeout(db->get(), 5000);
  if (auto made = db->exec("cannot create the metrics tables", kSchema); !made) {
    return std::unexpected(made.error());
  }
  return MetricsStore(std::move(*db));
}

api::Result<CounterState> MetricsStore::load() {
  CounterState state;
  auto counters = db_.prepare("SELECT series, value FROM counters");
  if (!counters) return std::unexpected(counters.error());
  {
    auto use = counters->use();
    int rc = 0;
    while ((rc = counters->step()) == SQLITE_ROW) {
      state.counters[counters->column_text(0)] = as_count(counters->column_int64(1));
    }
    if (rc != SQLITE_DONE) return std::unexpected(db_.error("cannot read the counters", rc));
  }
  auto daily = db_.prepare("SELECT day, origin, peers, cache, uploaded FROM daily");
  if (!daily) return std::unexpected(daily.error());
  auto use = daily->use();
  int rc = 0;
  while ((rc = daily->step()) == SQLITE_ROW) {
    state.days[daily->column_text(0)] =
        DayTotals{as_count(daily->column_int64(1)), as_count(daily->column_int64(2)),
                  as_count(daily->column_int64(3)), as_count(daily->column_int64(4))};
  }
  if (rc != SQLITE_DONE) return std::unexpected(db_.error("cannot read the history", rc));
  return state;
}

api::Result<void> MetricsStore::save(const CounterState& state, std::string_view today) {
  auto transaction = sqlite::SqliteTransaction::begin(db_, sqlite::SqliteTransaction::Mode::kWrite);
  if (!transaction) return std::unexpected(transaction.error());
  auto counter = db_.prepare("INSERT OR REPLACE INTO counters(series, value) VALUES(?1, ?2)");
  if (!counter) return std::unexpected(counter.error());
  for (const auto& [series, value] : state.counters) {
    auto use = counter->use();
    counter->bind(1, series);
    counter->bind(2, as_int(value));
    if (const int rc = counter->step(); rc != SQLITE_DONE) {
      return std::unexpected(db_.error("cannot save a counter", rc));
    }
  }
  auto day = db_.prepare(
      "INSERT OR REPLACE INTO daily(day, origin, peers, cache, uploaded) "
      "VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!day) return std::unexpected(day.error());
  for (const auto& [date, totals] : state.days) {
    auto use = day->use();
    day->bind(1, date);
    day->bind(2, as_int(totals.origin));
    day->bind(3, as_int(totals.peers));
    day->bind(4, as_int(totals.cache));
    day->bind(5, as_int(totals.uploaded));
    if (const int rc = day->step(); rc != SQLITE_DONE) {
      return std::unexpected(db_.error("cannot save a day's totals", rc));
    }
  }
  auto old = db_.prepare("DELETE FROM daily WHERE day < ?1");
  if (!old) return std::unexpected(old.error());
  {
    auto use = old->use();
    old->bind(1, first_kept_day(today));
    if (const int rc = old->step(); rc != SQLITE_DONE) {
      return std::unexpected(db_.error("cannot delete old history", rc));
    }
  }
  return transaction->commit();
}

}  // namespace swarmcopy::metrics
