// The daemon's metrics and history end to end: the real swarmcopyd (system mode, as root) on a
// socket in a temp dir, a real nginx as the origin, a real Prometheus server (Debian's
// `prometheus`, scrape interval 1 s, on loopback) scraping metrics_listen during a download,
// kill -9 and clean restarts, and the built `swarmcopy status`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "swarmcopy/sqlite/connection.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::uint64_t kSize = 6 << 20;
constexpr const char* kPrometheus = "/usr/bin/prometheus";

// A port nobody listens on now (bound to 0 and released).
std::uint16_t free_tcp_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

struct TcpAnswer {
  int status = 0;
  std::string body;
  std::string content_type;
};

// One GET to 127.0.0.1:port, bounded by 5 s; nullopt when it failed.
std::optional<TcpAnswer> tcp_get(std::uint16_t port, const std::string& target) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(5s);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "127.0.0.1");
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return TcpAnswer{static_cast<int>(response.result_int()), response.body(),
                     std::string(response[http::field::content_type])};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The value of one sample line `series value` in exposition text; nullopt when absent.
std::optional<double> sample_value(const std::string& text, const std::string& series) {
  const std::string prefix = series + " ";
  std::size_t at = 0;
  while ((at = text.find(prefix, at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      return std::stod(text.substr(at + prefix.size(), text.find('\n', at) - at - prefix.size()));
    }
    at += prefix.size();
  }
  return std::nullopt;
}

const std::string kOrigin = R"(swarmcopy_received_bytes_total{source="origin",mode="http-only"})";
const std::string kCache = R"(swarmcopy_received_bytes_total{source="cache",mode="http-only"})";

class DaemonMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "a system-mode daemon needs root";
    fs::create_directories(dir_.path() / "www");
    fs::create_directories(dir_.path() / "out");
    auto sha = write_test_file(dir_.path() / "www" / "f.bin", kSize, 15);
    ASSERT_TRUE(sha) << sha.error();
    sha_ = *sha;
    NginxOptions nginx_options;
    nginx_options.docroot = dir_.path() / "www";
    auto nginx = NginxServer::start(nginx_options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "daemon log:\n" << daemon_->log_text();
    if (prometheus_) prometheus_->stop(5s);
    daemon_.reset();
  }

  void start_daemon(std::vector<std::string> args = {}) {
    auto daemon = DaemonProcess::start(daemon_options(dir_.path(), std::move(args)));
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  fs::path socket() const { return dir_.path() / "d.sock"; }

  HttpResponse call(std::string_view method, const std::string& target,
                    std::string_view body = {}) {
    auto response = http_request(socket(), method, target, body);
    EXPECT_TRUE(response) << method << " " << target << ": " << response.error();
    return response.value_or(HttpResponse{});
  }

  // www/FILE (f.bin unless said) to out/NAME, verified (so it is cached), http-only, at most
  // `rate` bytes/s (0: no limit); the job when TRANSFERRED.
  json download(const std::string& name, std::uint64_t rate = 0, const std::string& file = "f.bin",
                const std::string& sha = {}) {
    const auto created = call("POST", "/v1/jobs", json{{"name", name}}.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id = created.json().value("id", "");
    if (rate > 0) {
      EXPECT_EQ(call("PATCH", "/v1/jobs/" + id, json{{"max_bytes_per_second", rate}}.dump()).status,
                200);
    }
    const json files = {{"files",
                         {{{"url", nginx_->url(file)},
                           {"path", (dir_.path() / "out" / name).string()},
                           {"sha256", sha.empty() ? sha_ : sha},
                           {"mode", "http-only"}}}}};
    EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/files", files.dump()).status, 200);
    EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
    auto job = wait_job(socket(), id, in_state("TRANSFERRED"), 60s);
    EXPECT_EQ(job.value("state", ""), "TRANSFERRED") << job.dump();
    EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/complete").status, 200);
    return job;
  }

  std::string metrics_text() {
    const auto answer = call("GET", "/metrics");
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.body;
  }

  // The value of a counter as checkpointed in state/metrics.sqlite; nullopt when not there.
  std::optional<std::uint64_t> stored_counter(const std::string& series) {
    auto db = sqlite::SqliteConnection::open(dir_.path() / "state" / "metrics.sqlite");
    if (!db) return std::nullopt;
    sqlite3_busy_timeout(db->get(), 2000);
    auto select = db->prepare("SELECT value FROM counters WHERE series = ?1");
    if (!select) return std::nullopt;
    auto use = select->use();
    select->bind(1, series);
    if (select->step() != SQLITE_ROW) return std::nullopt;
    return static_cast<std::uint64_t>(select->column_int64(0));
  }

  // Prometheus's answer to an instant query: the value of its one series; nullopt otherwise.
  std::optional<double> query(std::uint16_t port, const std::string& promql) {
    std::string encoded;
    for (const unsigned char c : promql) {
      if (std::isalnum(c) || c == '_' || c == '.' || c == '-') {
        encoded += static_cast<char>(c);
      } else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        encoded += hex;
      }
    }
    auto answer = tcp_get(port, "/api/v1/query?query=" + encoded);
    if (!answer || answer->status != 200) return std::nullopt;
    const auto body = json::parse(answer->body, nullptr, false);
    if (body.is_discarded() || body.value("status", "") != "success") return std::nullopt;
    const auto& result = body["data"]["result"];
    if (!result.is_array() || result.size() != 1) return std::nullopt;
    return std::stod(result[0]["value"][1].get<std::string>());
  }

  TestDir dir_;
  std::string sha_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<ChildProcess> prometheus_;
};

TEST_F(DaemonMetricsTest, PrometheusScrapesTheBytesBySourceTheJobsReport) {
  if (!fs::exists(kPrometheus)) {
    GTEST_SKIP() << kPrometheus
                 << " is absent: install Debian's prometheus (scripts/install-deps.sh does)";
  }
  const auto metrics_port = free_tcp_port();
  start_daemon({"--metrics-listen", std::to_string(metrics_port)});

  // TCP serves /metrics and nothing else: no job API without a uid.
  const auto direct = tcp_get(metrics_port, "/metrics");
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->status, 200);
  EXPECT_EQ(direct->content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(direct->body.find("# TYPE swarmcopy_received_bytes_total counter"), std::string::npos);
  const auto jobs = tcp_get(metrics_port, "/v1/jobs");
  ASSERT_TRUE(jobs);
  EXPECT_EQ(jobs->status, 404);
  const auto status = tcp_get(metrics_port, "/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 404);

  const auto prometheus_port = free_tcp_port();
  const auto config = dir_.path() / "prometheus.yml";
  {
    std::ofstream out(config);
    out << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        << "scrape_configs:\n  - job_name: swarmcopyd\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << metrics_port << "']\n";
  }
  fs::create_directories(dir_.path() / "tsdb");
  auto prometheus =
      ChildProcess::spawn({kPrometheus, "--config.file=" + config.string(),
                           "--storage.tsdb.path=" + (dir_.path() / "tsdb").string(),
                           "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
                          {.cwd = dir_.path(), .log = dir_.path() / "prometheus.log"});
  ASSERT_TRUE(prometheus) << prometheus.error();
  prometheus_ = std::move(*prometheus);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto up = query(prometheus_port, "up{job=\"swarmcopyd\"}");
        return up && *up == 1.0;
      },
      60s, 200ms))
      << "Prometheus never scraped the daemon";

  // About 3 s at 2 MiB/s: scraped while it runs.
  const auto first = download("a", 2 << 20);
  EXPECT_EQ(first["from_origin"], kSize) << first.dump();
  const auto second = download("b");
  EXPECT_EQ(second["from_cache"], kSize) << second.dump();

  std::optional<double> origin;
  std::optional<double> cache;
  std::optional<double> saved;
  EXPECT_TRUE(wait_until(
      [&] {
        origin = query(prometheus_port, kOrigin);
        cache = query(prometheus_port, kCache);
        saved = query(prometheus_port, "swarmcopy_saved_bytes_total");
        return origin && cache && saved && *origin == first["from_origin"].get<double>() &&
               *cache == second["from_cache"].get<double>() && *saved == *cache;
      },
      30s, 250ms))
      << "origin " << origin.value_or(-1) << ", cache " << cache.value_or(-1) << ", saved "
      << saved.value_or(-1);
  // The jobs' gauge and the process's series are there too.
  EXPECT_TRUE(query(prometheus_port, "swarmcopy_jobs{state=\"ACKNOWLEDGED\"}"));
  EXPECT_TRUE(query(prometheus_port, "process_resident_memory_bytes"));
  EXPECT_TRUE(query(prometheus_port, "swarmcopy_engine_loop_lag_seconds"));
  const auto requests = query(prometheus_port, "swarmcopy_origin_requests_total");
  ASSERT_TRUE(requests);
  EXPECT_GE(*requests, 1.0);
  // Scraped more than once while the first job ran (1 s interval, about 3 s of download).
  const auto scrapes = query(prometheus_port, "count_over_time(up{job=\"swarmcopyd\"}[5m])");
  ASSERT_TRUE(scrapes);
  EXPECT_GE(*scrapes, 3.0);
}

TEST_F(DaemonMetricsTest, CountersSurviveKillAndCleanRestart) {
  start_daemon();
  const auto first = download("a");
  ASSERT_EQ(first["from_origin"], kSize) << first.dump();
  auto text = metrics_text();
  ASSERT_EQ(sample_value(text, kOrigin), static_cast<double>(kSize)) << text;

  // Checkpointed within about 5 s; then a kill -9 keeps it.
  std::optional<std::uint64_t> stored;
  ASSERT_TRUE(wait_until(
      [&] {
        stored = stored_counter(kOrigin);
        return stored == kSize;
      },
      20s, 100ms))
      << "never checkpointed: " << stored.value_or(0);
  daemon_->kill_now();
  daemon_.reset();
  start_daemon();
  text = metrics_text();
  EXPECT_EQ(sample_value(text, kOrigin), static_cast<double>(kSize)) << text;

  // A download right before a clean stop counts: the stop checkpoints. (After the kill the
  // cache may check its item again or leave it out: where its bytes came from is the job's
  // word.)
  const auto second = download("b");
  const auto origin = kSize + second["from_origin"].get<std::uint64_t>();
  const auto cache = second["from_cache"].get<std::uint64_t>();
  ASSERT_EQ(second["from_origin"].get<std::uint64_t>() + cache, kSize) << second.dump();
  EXPECT_EQ(daemon_->stop(), 0);
  daemon_.reset();
  start_daemon();
  text = metrics_text();
  EXPECT_EQ(sample_value(text, kOrigin), static_cast<double>(origin)) << text;
  EXPECT_EQ(sample_value(text, kCache).value_or(0), static_cast<double>(cache)) << text;
  EXPECT_EQ(sample_value(text, "swarmcopy_saved_bytes_total"), static_cast<double>(cache));
  EXPECT_EQ(sample_value(text, R"(swarmcopy_files_completed_total{mode="http-only"})"), 2.0);
}

TEST_F(DaemonMetricsTest, CacheEvictionsAreCounted) {
  // Room for one 6 MiB file: the second one's arrival evicts the first.
  start_daemon({"--cache-max-bytes", std::to_string(8 << 20)});
  auto other = write_test_file(dir_.path() / "www" / "g.bin", kSize, 16);
  ASSERT_TRUE(other) << other.error();
  download("a");
  auto text = metrics_text();
  EXPECT_EQ(sample_value(text, "swarmcopy_cache_evictions_total"), 0.0) << text;
  EXPECT_EQ(sample_value(text, "swarmcopy_cache_items"), 1.0) << text;
  download("b", 0, "g.bin", *other);
  text = metrics_text();
  EXPECT_EQ(sample_value(text, "swarmcopy_cache_evictions_total"), 1.0) << text;
  EXPECT_EQ(sample_value(text, "swarmcopy_cache_items"), 1.0) << text;
  // Persisted as the other counters: a clean restart keeps it.
  EXPECT_EQ(daemon_->stop(), 0);
  daemon_.reset();
  start_daemon({"--cache-max-bytes", std::to_string(8 << 20)});
  text = metrics_text();
  EXPECT_EQ(sample_value(text, "swarmcopy_cache_evictions_total"), 1.0) << text;
}

TEST_F(DaemonMetricsTest, OriginRequestsAndTheirFailuresAreCountedByClass) {
  start_daemon();
  download("a");
  auto text = metrics_text();
  const auto after_one = sample_value(text, "swarmcopy_origin_requests_total");
  ASSERT_TRUE(after_one) << text;
  EXPECT_GE(*after_one, 1.0) << text;
  EXPECT_EQ(text.find("swarmcopy_origin_errors_total{"), std::string::npos) << text;

  // A file the origin does not have: a 404, a permanent error.
  const auto created = call("POST", "/v1/jobs", json{{"name", "missing"}}.dump());
  const std::string id = created.json().value("id", "");
  const json files = {{"files",
                       {{{"url", nginx_->url("missing.bin")},
                         {"path", (dir_.path() / "out" / "missing").string()},
                         {"mode", "http-only"}}}}};
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/files", files.dump()).status, 200);
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
  const auto job = wait_job(socket(), id, in_state("ERROR"), 60s);
  ASSERT_EQ(job.value("state", ""), "ERROR") << job.dump();
  text = metrics_text();
  const std::string not_found = R"(swarmcopy_origin_errors_total{class="http_4xx"})";
  const auto failures = sample_value(text, not_found);
  ASSERT_TRUE(failures) << text;
  EXPECT_GE(*failures, 1.0) << text;
  // Every request since is one of those 404s.
  EXPECT_EQ(sample_value(text, "swarmcopy_origin_requests_total"), *after_one + *failures) << text;
  EXPECT_EQ(sample_value(text, "swarmcopy_peers_banned_total"), 0.0) << text;

  // Persisted as the other counters: a clean restart keeps them.
  EXPECT_EQ(daemon_->stop(), 0);
  daemon_.reset();
  start_daemon();
  text = metrics_text();
  EXPECT_EQ(sample_value(text, not_found), *failures) << text;
  EXPECT_EQ(sample_value(text, "swarmcopy_origin_requests_total"), *after_one + *failures) << text;
}

// The issue's case: two downloads, one from the origin and one from a peer (a `swarmcopy get`
// that has the file and seeds it on loopback): `status` shows both and the ratio.
TEST_F(DaemonMetricsTest, StatusShowsADownloadFromAPeerAndTheRatio) {
  // The other machine: fetches the file from the origin, then serves it to peers.
  auto seeder = ChildProcess::spawn(
      {SWARMCOPY_CLI_PATH, "get", nginx_->url("f.bin"), "-o", (dir_.path() / "seeded").string(),
       "--sha256", sha_, "--home", (dir_.path() / "seeder").string(), "--listen", "127.0.0.1:0",
       "--no-lsd", "--seed-time", "120"},
      {.cwd = dir_.path()});
  ASSERT_TRUE(seeder) << seeder.error();
  std::string port;
  ASSERT_TRUE((*seeder)->wait_for_error_output(
      [&](const std::string& err) {
        std::smatch found;
        if (std::regex_search(err, found, std::regex("listening on ([0-9]+)\n"))) {
          port = found[1];
        }
        return !port.empty() && err.find("to peers for") != std::string::npos;
      },
      60s))
      << "the seeder never got the file";

  start_daemon({"--peers", "127.0.0.1:" + port});
  // Another file, http-only: from the origin.
  auto other = write_test_file(dir_.path() / "www" / "g.bin", kSize, 16);
  ASSERT_TRUE(other) << other.error();
  download("a", 0, "g.bin", *other);
  // A background job in lan mode: the listed peer that holds the content is asked first.
  const auto created = call("POST", "/v1/jobs", json{{"name", "b"}}.dump());
  const std::string id = created.json().value("id", "");
  const json files = {{"files",
                       {{{"url", nginx_->url("f.bin")},
                         {"path", (dir_.path() / "out" / "b").string()},
                         {"sha256", sha_},
                         {"mode", "lan"}}}}};
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/files", files.dump()).status, 200);
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
  const auto job = wait_job(socket(), id, in_state("TRANSFERRED"), 90s);
  ASSERT_EQ(job.value("state", ""), "TRANSFERRED") << job.dump();
  const auto from_peers = job["from_peers"].get<std::uint64_t>();
  const auto from_origin = job["from_origin"].get<std::uint64_t>();
  ASSERT_EQ(from_peers + from_origin, kSize) << job.dump();
  EXPECT_GT(from_peers, 0u) << job.dump();
  EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/complete").status, 200);
  (*seeder)->stop(10s);

  auto child = ChildProcess::spawn(
      {SWARMCOPY_CLI_PATH, "status", "--json", "--days", "1", "--socket", socket().string()},
      {.cwd = dir_.path()});
  ASSERT_TRUE(child) << child.error();
  const auto ran = (*child)->wait(60s);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const auto status = json::parse(ran.out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << ran.out;
  EXPECT_EQ(status["totals"]["received"], 2 * kSize) << ran.out;
  EXPECT_EQ(status["totals"]["peers"], from_peers) << ran.out;
  EXPECT_EQ(status["totals"]["origin"], kSize + from_origin) << ran.out;
  EXPECT_DOUBLE_EQ(status["totals"]["savings_ratio"].get<double>(),
                   static_cast<double>(from_peers) / static_cast<double>(2 * kSize))
      << ran.out;
}

TEST_F(DaemonMetricsTest, StatusShowsBothDownloadsAndTheSavingsRatio) {
  start_daemon();
  download("a");
  download("b");  // from the cache
  const auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), SWARMCOPY_CLI_PATH);
    auto child = ChildProcess::spawn(args, {.cwd = dir_.path()});
    if (!child) return ChildResult{-1, false, "", "spawn failed: " + child.error()};
    return (*child)->wait(60s);
  };
  const auto as_json = cli({"status", "--json", "--days", "3", "--socket", socket().string()});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto status = json::parse(as_json.out, nullptr, false);
  ASSERT_FALSE(status.is_discarded()) << as_json.out;
  ASSERT_EQ(status["days"].size(), 3u) << as_json.out;
  EXPECT_EQ(status["totals"]["origin"], kSize) << as_json.out;
  EXPECT_EQ(status["totals"]["cache"], kSize) << as_json.out;
  EXPECT_EQ(status["totals"]["peers"], 0) << as_json.out;
  EXPECT_EQ(status["totals"]["received"], 2 * kSize) << as_json.out;
  EXPECT_DOUBLE_EQ(status["totals"]["savings_ratio"].get<double>(), 0.5) << as_json.out;
  // Today (the last day) holds both.
  EXPECT_EQ(status["days"][2]["origin"], kSize) << as_json.out;
  EXPECT_EQ(status["days"][2]["cache"], kSize) << as_json.out;

  const auto text = cli({"status", "--socket", socket().string()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("50.0%"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Savings ratio"), std::string::npos) << text.out;

  const auto bad = cli({"status", "--days", "401", "--socket", socket().string()});
  EXPECT_NE(bad.exit_code, 0);
  // The route checks too.
  EXPECT_EQ(call("GET", "/v1/traffic?days=0").status, 400);
}

}  // namespace
}  // namespace swarmcopy::test
