// Bandwidth policy: a job's rate cap holds over its peers and its origin together; a daemon's
// download cap (background_download_limit) holds over a running job and SIGHUP changes it in
// flight; the monthly upload cap stops a machine's uploads once reached, and a restart does not
// forget what the month counted. Time is asserted only as a floor (a cap makes a download take
// at least so long); the ceilings are generous bounds on loopback transfers, many times what
// the machine needs, and far below what the old cap would take.
#include <signal.h>

#include <fstream>
#include <thread>

#include "daemon/daemon_process.h"
#include "nginx/test_files.h"
#include "swarm_fixture.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class BandwidthPolicyTest : public SwarmFixture {
 protected:
  void SetUp() override { start_origin(); }

  // A daemon on this test's socket, state and config (rewritten by write_config).
  std::unique_ptr<DaemonProcess> start_daemon(const std::filesystem::path& dir) {
    DaemonOptions options;
    options.socket = dir / "swarmcopyd.sock";
    options.state_dir = dir / "state";
    options.log = dir / "swarmcopyd.log";
    options.home = dir / "home";
    options.args = {"--config", (dir / "swarmcopyd.conf").string()};
    auto daemon = DaemonProcess::start(options);
    EXPECT_TRUE(daemon) << (daemon ? "" : daemon.error());
    return daemon ? std::move(*daemon) : nullptr;
  }

  static std::vector<std::string> daemon_get(const std::string& url,
                                             const std::filesystem::path& out,
                                             const std::filesystem::path& dir,
                                             std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        SWARMCOPY_CLI_PATH, "get",      url,        "-o",
        out.string(),       "--daemon", "--socket", (dir / "swarmcopyd.sock").string(),
        "--json",           "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  static nlohmann::json jobs_of(const std::filesystem::path& dir) {
    const auto listed = run_child({SWARMCOPY_CLI_PATH, "job", "list", "--json", "--socket",
                                   (dir / "swarmcopyd.sock").string()},
                                  {}, 30s);
    return nlohmann::json::parse(listed.out, nullptr, false);
  }
};

// --limit-rate caps the job, not only its origin requests: a seeder on loopback would hand the
// whole file over in a fraction of a second.
TEST_F(BandwidthPolicyTest, AJobsRateCapHoldsOverItsPeersAndItsOriginTogether) {
  constexpr std::uint64_t kSize = 8ull << 20;
  constexpr std::uint64_t kRate = 2ull << 20;
  const auto sha = make_published_file("capped.bin", kSize);
  const auto url = nginx_->url("capped.bin");
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url, port);
  ASSERT_TRUE(seeder);

  const auto started = Clock::now();
  auto capped = json_of(run_get(url, out_ / "capped.bin", home_b_.path(),
                                {"--peer", peer_arg(port), "--limit-rate", "2M", "--explain"}));
  const double elapsed = seconds_since(started);
  EXPECT_EQ(capped["state"], "ACKNOWLEDGED") << capped.dump();
  EXPECT_EQ(sha256_file(out_ / "capped.bin").value_or(""), sha);
  EXPECT_GT(capped["from_peers"].get<std::uint64_t>(), 0u) << capped.dump();
  // The file, less one burst (a quarter second), at the cap.
  EXPECT_GE(elapsed, static_cast<double>(kSize - kRate / 4) / kRate) << capped.dump();
  EXPECT_NE(capped["explanation"]["files"][0]["notes"].dump().find(
                "the job's rate cap: 2097152 bytes/s, origin and peers together"),
            std::string::npos)
      << capped.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// A background job of a daemon under background_download_limit keeps to it; the administrator
// lifts it and SIGHUPs, and the same job, still running, finishes at full speed.
TEST_F(BandwidthPolicyTest, ASighupChangesADownloadCapInFlight) {
  constexpr std::uint64_t kSize = 32ull << 20;
  constexpr std::uint64_t kRate = 256 << 10;  // 128 s for the file
  const auto sha = make_published_file("big.bin", kSize, 7);
  const auto url = nginx_->url("big.bin");
  TestDir dir("swarmcopy-downcap-");
  const auto write_config = [&](std::uint64_t rate) {
    std::ofstream(dir / "swarmcopyd.conf") << "peer_listen = 127.0.0.1:0\nlocal_discovery = false\n"
                                           << "background_http_delay_ms = 0\n"
                                           << "background_download_limit = " << rate << "\n";
  };
  write_config(kRate);
  auto daemon = start_daemon(dir.path());
  ASSERT_TRUE(daemon);

  auto getter = ChildProcess::spawn(
      daemon_get(url, out_ / "big.bin", dir.path(), {"--priority", "normal", "--explain"}));
  ASSERT_TRUE(getter) << getter.error();
  const auto started = Clock::now();
  // Some seconds under the cap: never more than it allows (plus one burst and a piece's slack).
  std::this_thread::sleep_for(4s);
  const auto jobs = jobs_of(dir.path());
  ASSERT_TRUE(jobs.is_array() && jobs.size() == 1) << jobs.dump();
  const auto moved = jobs[0]["bytes_transferred"].get<std::uint64_t>();
  const double elapsed = seconds_since(started);
  EXPECT_LE(moved, static_cast<std::uint64_t>(elapsed * kRate) + kRate / 4 + (256 << 10))
      << elapsed << " s: " << jobs.dump();
  EXPECT_GT(moved, 0u) << jobs.dump();

  write_config(0);
  daemon->send_signal(SIGHUP);
  // At the old cap the rest would take about two minutes; lifted, seconds.
  auto result = (*getter)->wait(60s);
  ASSERT_FALSE(result.timed_out) << "the lifted cap was not applied to the running job";
  const auto done = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_EQ(done["state"], "ACKNOWLEDGED") << result.out;
  EXPECT_EQ(sha256_file(out_ / "big.bin").value_or(""), sha);
  EXPECT_NE(done["explanation"]["files"][0]["notes"].dump().find(
                "download cap: background_download_limit = 262144 bytes/s"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(daemon->stop(), 0);
}

// A seeder whose month allows 4 MiB of uploads, and a machine that can only take the file from
// it (its URL answers 404, its metadata comes from elsewhere): the seeder stops serving near the
// cap, and the machine gets no more than the cap. Restarted, the seeder still knows its month is
// used up: the next machine takes the file from the origin alone.
TEST_F(BandwidthPolicyTest, TheMonthlyUploadCapStopsUploadsAndOutlivesARestart) {
  constexpr std::uint64_t kSize = 16ull << 20;
  constexpr std::uint64_t kCap = 4ull << 20;
  const auto sha = make_published_file("monthly.bin", kSize, 9);
  const auto url = nginx_->url("monthly.bin");
  const auto port = free_loopback_port();
  TestDir dir("swarmcopy-monthly-");
  std::ofstream(dir / "swarmcopyd.conf") << "peer_listen = " << peer_arg(port) << "\n"
                                         << "local_discovery = false\n"
                                         << "seed_time_seconds = 600\n"
                                         << "monthly_upload_cap = " << kCap << "\n";
  auto daemon = start_daemon(dir.path());
  ASSERT_TRUE(daemon);
  const auto seeded = run_child(daemon_get(url, out_ / "a.bin", dir.path()), {}, 120s);
  ASSERT_EQ(json_of(seeded)["state"], "ACKNOWLEDGED") << seeded.out;

  const std::string refusal =
      "no uploads to peers: this month's uploads reached monthly_upload_cap";
  auto peers_only = spawn_get(nginx_->url("gone.bin"), out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(port), "--metadata", url + ".torrent"});
  ASSERT_TRUE(peers_only);
  EXPECT_TRUE(
      wait_until([&] { return daemon->log_text().find(refusal) != std::string::npos; }, 60s))
      << daemon->log_text();
  // Interrupted, it says what it received: something, and no more than the cap.
  peers_only->send_signal(SIGTERM);
  const auto interrupted = peers_only->wait(30s);
  EXPECT_EQ(interrupted.exit_code, 130) << interrupted.err;  // interrupted, as the CLI says
  const auto stopped = nlohmann::json::parse(interrupted.out, nullptr, false);
  EXPECT_GT(stopped["from_peers"].get<std::uint64_t>(), 0u) << stopped.dump();
  ASSERT_EQ(stopped["peers"].size(), 1u) << stopped.dump();
  EXPECT_LE(stopped["peers"][0]["bytes_down"].get<std::uint64_t>(), kCap) << stopped.dump();
  EXPECT_EQ(stopped["from_origin"], 0) << stopped.dump();

  EXPECT_EQ(daemon->stop(), 0);
  daemon = start_daemon(dir.path());
  ASSERT_TRUE(daemon);
  EXPECT_TRUE(
      wait_until([&] { return daemon->log_text().find(refusal) != std::string::npos; }, 20s))
      << daemon->log_text();
  auto third = json_of(run_get(url, out_ / "c.bin", home_c_.path(),
                               {"--peer", peer_arg(port), "--priority", "normal"}));
  EXPECT_EQ(third["state"], "ACKNOWLEDGED") << third.dump();
  EXPECT_EQ(sha256_file(out_ / "c.bin").value_or(""), sha);
  EXPECT_EQ(third["from_peers"], 0) << third.dump();
  EXPECT_EQ(third["from_origin"], kSize) << third.dump();
  EXPECT_EQ(daemon->stop(), 0);
}

}  // namespace
}  // namespace swarmcopy::test
