// The daemon's metrics without a daemon: the Prometheus text (HELP and TYPE before each
// family's samples, label values and help escaped), the counters a completed file and a failed
// job add, the daily history's 400-day bound, and the SQLite store's round trip.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "swarmcopy/metrics/counter_state.h"
#include "swarmcopy/metrics/metrics.h"
#include "swarmcopy/metrics/metrics_store.h"
#include "swarmcopy/metrics/prometheus_text.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::metrics {
namespace {

using namespace std::chrono_literals;

api::Clock::time_point at_day(int year, unsigned month, unsigned day) {
  return std::chrono::sys_days(std::chrono::year_month_day(
             std::chrono::year(year), std::chrono::month(month), std::chrono::day(day))) +
         12h;
}

engine::JobEvent completed(api::DownloadMode mode, std::uint64_t origin, std::uint64_t peers,
                           std::uint64_t cache, std::uint64_t uploaded = 0,
                           std::uint32_t peers_seen = 0) {
  api::FileStatus file;
  file.url = "http://example.org/secret\"path";
  file.local_path = "/home/someone/file";
  file.mode = mode;
  file.from_origin = origin;
  file.from_peers = peers;
  file.from_cache = cache;
  file.uploaded = uploaded;
  file.peers_seen = peers_seen;
  file.completed = true;
  engine::JobEvent event;
  event.type = engine::JobEvent::Type::kFileTransferred;
  event.file = file;
  return event;
}

TEST(PrometheusTextTest, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_label_value("a\"b"), "a\\\"b");
  EXPECT_EQ(escape_label_value("back\\slash"), "back\\\\slash");
  EXPECT_EQ(escape_label_value("two\nlines"), "two\\nlines");
  EXPECT_EQ(format_labels({{"a", "x\"y"}, {"b", "z"}}), "{a=\"x\\\"y\",b=\"z\"}");
  EXPECT_EQ(format_labels({}), "");
}

TEST(PrometheusTextTest, HelpKeepsQuotesButEscapesBackslashAndNewline) {
  EXPECT_EQ(escape_help("say \"hi\"\\now\nthen"), "say \"hi\"\\\\now\\nthen");
}

TEST(PrometheusTextTest, FamilyHasHelpAndTypeBeforeItsSamples) {
  PrometheusText text;
  text.family("swarmcopy_x_total", "What x counts", "counter");
  text.sample("swarmcopy_x_total", {{"source", "origin"}}, std::uint64_t{42});
  text.family("swarmcopy_ratio", "A gauge", "gauge");
  text.sample("swarmcopy_ratio", {}, 0.5);
  EXPECT_EQ(text.text(),
            "# HELP swarmcopy_x_total What x counts\n"
            "# TYPE swarmcopy_x_total counter\n"
            "swarmcopy_x_total{source=\"origin\"} 42\n"
            "# HELP swarmcopy_ratio A gauge\n"
            "# TYPE swarmcopy_ratio gauge\n"
            "swarmcopy_ratio 0.5\n");
}

TEST(MetricsTest, ACompletedFileCountsBySourceAndModeWithoutItsUrlOrPath) {
  auto metrics = Metrics::open(nullptr, [] { return at_day(2026, 3, 1); });
  ASSERT_TRUE(metrics);
  (*metrics)->on_event(completed(api::DownloadMode::kLan, 100, 50, 0, 7, 3));
  (*metrics)->on_event(completed(api::DownloadMode::kHttpOnly, 10, 0, 30));
  engine::JobEvent failed;
  failed.type = engine::JobEvent::Type::kError;
  failed.error = api::Error{api::ErrorContext::kRemoteFile,
                            api::ErrorKind::kNotFound,
                            404,
                            "http://example.org/x: not found",
                            "",
                            api::Protocol::kHttp};
  (*metrics)->on_event(failed);

  const auto text = (*metrics)->render(LiveGauges{});
  EXPECT_NE(text.find("swarmcopy_received_bytes_total{source=\"origin\",mode=\"lan\"} 100\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("swarmcopy_received_bytes_total{source=\"peers\",mode=\"lan\"} 50\n"),
            std::string::npos);
  EXPECT_NE(text.find("swarmcopy_received_bytes_total{source=\"cache\",mode=\"http-only\"} 30\n"),
            std::string::npos);
  EXPECT_NE(text.find("swarmcopy_saved_bytes_total 80\n"), std::string::npos);
  EXPECT_NE(text.find("swarmcopy_uploaded_bytes_total{mode=\"lan\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("swarmcopy_files_completed_total{mode=\"lan\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("swarmcopy_peers_seen_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("swarmcopy_files_failed_total{kind=\"not_found\",context=\"remote_file\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("example.org"), std::string::npos);
  EXPECT_EQ(text.find("/home/someone"), std::string::npos);
  // Each family once, HELP then TYPE.
  const auto help = text.find("# HELP swarmcopy_received_bytes_total ");
  const auto type = text.find("# TYPE swarmcopy_received_bytes_total counter\n");
  ASSERT_NE(help, std::string::npos);
  EXPECT_LT(help, type);
  EXPECT_EQ(text.find("# HELP swarmcopy_received_bytes_total ", help + 1), std::string::npos);

  const auto day = (*metrics)->state().days.at("2026-03-01");
  EXPECT_EQ(day, (DayTotals{110, 50, 30, 7}));
}

TEST(MetricsTest, CacheCountsAddOnlyTheirIncrease) {
  auto metrics = Metrics::open(nullptr);
  ASSERT_TRUE(metrics);
  (*metrics)->observe_cache(3, 1, 0);
  (*metrics)->observe_cache(5, 1, 2);
  (*metrics)->observe_cache(2, 0, 1);  // the cache opened again: counts from 0
  const auto state = (*metrics)->state();
  EXPECT_EQ(state.counters.at("swarmcopy_cache_hits_total"), 7u);
  EXPECT_EQ(state.counters.at("swarmcopy_cache_misses_total"), 1u);
  EXPECT_EQ(state.counters.at("swarmcopy_cache_evictions_total"), 3u);
}

TEST(MetricsTest, NetworkCountsAddOnlyTheirIncreaseByClass) {
  auto metrics = Metrics::open(nullptr);
  ASSERT_TRUE(metrics);
  (*metrics)->observe_network({5, {{"http_4xx", 1}}, 0});
  (*metrics)->observe_network({9, {{"http_4xx", 1}, {"transport", 2}}, 1});
  (*metrics)->observe_network({3, {{"http_5xx", 1}}, 3});  // requests: the engine opened again
  const auto state = (*metrics)->state();
  EXPECT_EQ(state.counters.at("swarmcopy_origin_requests_total"), 12u);
  EXPECT_EQ(state.counters.at("swarmcopy_origin_errors_total{class=\"http_4xx\"}"), 1u);
  EXPECT_EQ(state.counters.at("swarmcopy_origin_errors_total{class=\"transport\"}"), 2u);
  EXPECT_EQ(state.counters.at("swarmcopy_origin_errors_total{class=\"http_5xx\"}"), 1u);
  EXPECT_EQ(state.counters.at("swarmcopy_peers_banned_total"), 3u);
  const auto text = (*metrics)->render(LiveGauges{});
  EXPECT_NE(text.find("swarmcopy_origin_errors_total{class=\"transport\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE swarmcopy_peers_banned_total counter\n"), std::string::npos);
}

TEST(CounterStateTest, HistoryKeepsFourHundredDays) {
  EXPECT_EQ(utc_day(at_day(2026, 12, 6)), "2026-12-06");
  EXPECT_EQ(first_kept_day("2026-12-06"), "2025-11-02");  // 2025-11-02 + 399 days
  std::map<std::string, DayTotals> days;
  days["2025-11-01"] = DayTotals{1, 0, 0, 0};
  days["2025-11-02"] = DayTotals{2, 0, 0, 0};
  days["2026-12-06"] = DayTotals{3, 0, 0, 0};
  trim_history(days, "2026-12-06");
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days.begin()->first, "2025-11-02");
}

TEST(MetricsStoreTest, SavedCountersComeBackAndOldDaysAreDeleted) {
  test::TestDir dir;
  const auto file = dir.path() / "metrics.sqlite";
  api::Clock::time_point now = at_day(2025, 1, 1);
  {
    auto store = MetricsStore::open(file);
    ASSERT_TRUE(store) << store.error().describe();
    auto metrics =
        Metrics::open(std::make_unique<MetricsStore>(std::move(*store)), [&] { return now; });
    ASSERT_TRUE(metrics);
    (*metrics)->on_event(completed(api::DownloadMode::kLan, 1000, 0, 0));
    ASSERT_TRUE((*metrics)->checkpoint());
    now = at_day(2026, 2, 1);  // 396 days later: the first day is still kept
    (*metrics)->on_event(completed(api::DownloadMode::kLan, 0, 500, 0));
    ASSERT_TRUE((*metrics)->checkpoint());
  }
  {
    auto store = MetricsStore::open(file);
    ASSERT_TRUE(store);
    auto state = store->load();
    ASSERT_TRUE(state) << state.error().describe();
    EXPECT_EQ(state->counters.at("swarmcopy_received_bytes_total{source=\"origin\",mode=\"lan\"}"),
              1000u);
    EXPECT_EQ(state->counters.at("swarmcopy_received_bytes_total{source=\"peers\",mode=\"lan\"}"),
              500u);
    EXPECT_EQ(state->days.size(), 2u);
    // 401 days after the first: it goes, from memory and from the file.
    now = at_day(2026, 2, 6);
    auto metrics =
        Metrics::open(std::make_unique<MetricsStore>(std::move(*store)), [&] { return now; });
    ASSERT_TRUE(metrics);
    ASSERT_TRUE((*metrics)->checkpoint());
    EXPECT_EQ((*metrics)->state().days.count("2025-01-01"), 0u);
    const auto history = (*metrics)->history(10);
    ASSERT_EQ(history.size(), 10u);
    EXPECT_EQ(history.back().first, "2026-02-06");
    EXPECT_EQ(history[4].first, "2026-02-01");
    EXPECT_EQ(history[4].second.peers, 500u);
  }
  auto store = MetricsStore::open(file);
  ASSERT_TRUE(store);
  auto state = store->load();
  ASSERT_TRUE(state);
  EXPECT_EQ(state->days.size(), 1u);
  EXPECT_EQ(state->days.count("2026-02-01"), 1u);
}

}  // namespace
}  // namespace swarmcopy::metrics
