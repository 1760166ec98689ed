// `swarmcopy-lab run` as a user runs it: a small lab (3 peers, 64 MiB) in lan mode and in the
// curl baseline, and in lan mode through a hard day (a peer killed, the origin unplugged, a
// second round from caches). Asserts correctness, not speed: every surviving peer ends with
// the right SHA-256, lan peers got bytes from each other, the origin sent less in lan mode than
// in the baseline (where it sends every peer the whole file), and afterwards nothing of the lab
// is left: no namespace or link under its prefix, no process that ran in it, no work
// directory. Also group mode across two subnets with a VPN peer, and the site options it refuses.
// Needs root and nginx (and gnuplot for the report's plots, opentracker for group mode); skips
// without them.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lab_leftovers.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kLab = SWARMCOPY_LAB_PATH;
constexpr const char* kCli = SWARMCOPY_CLI_PATH;
constexpr std::uint64_t kSize = 64ull << 20;

class LabRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: swarmcopy-lab builds network namespaces, veths and a bridge";
    }
    if (auto allowed = harness::check_privileges(); !allowed) {
      GTEST_SKIP() << allowed.error().message;
    }
    if (auto nginx = harness::find_program("nginx"); !nginx) {
      GTEST_SKIP() << "nginx is not installed: " << nginx.error().message;
    }
  }

  // `swarmcopy-lab run --peers 3 --size 64M --json ARGS...`: its report, after checking that
  // it exited 0 (every peer that was not killed has the right file) and that nothing of the
  // lab is left.
  json run_lab(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kLab,     "run",       "--peers", "3",
                                     "--size", "64M",       "--json",  "--swarmcopy",
                                     kCli,     "--timeout", "120"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto ran = harness::run_command(argv, 300s);
    EXPECT_TRUE(ran.has_value()) << ran.error().message;
    if (!ran) return json::object();
    EXPECT_EQ(ran->exit_code, 0) << ran->err;
    auto report = json::parse(ran->out, nullptr, false);
    EXPECT_TRUE(report.is_object()) << ran->out << "\n" << ran->err;
    if (!report.is_object()) return json::object();

    const std::string prefix = report.value("prefix", "");
    const std::string work_dir = report.value("work_dir", "");
    EXPECT_TRUE(prefix.starts_with("scl-")) << report.dump();
    EXPECT_FALSE(work_dir.empty()) << report.dump();
    if (!prefix.empty()) {
      EXPECT_EQ(names_with(prefix), std::vector<std::string>{});
    }
    if (!work_dir.empty()) {
      EXPECT_EQ(processes_mentioning(work_dir), std::vector<std::string>{});
      EXPECT_FALSE(fs::exists(work_dir)) << work_dir;
    }
    EXPECT_EQ(report.value("peers", 0), 3) << report.dump();
    EXPECT_EQ(report.value("size", std::uint64_t{0}), kSize) << report.dump();
    EXPECT_EQ(report["per_peer"].size(), 3u) << report.dump();
    return report;
  }

  // Every peer of `round` that was not killed has the right file, got all of it, and was
  // measured.
  void expect_complete_peers(const json& round) {
    for (const auto& peer : round["per_peer"]) {
      if (peer.value("killed", false)) continue;
      EXPECT_TRUE(peer.value("sha256_ok", false)) << peer.dump();
      EXPECT_TRUE(peer["seconds"].is_number()) << peer.dump();
      EXPECT_GT(peer.value("cpu_seconds", 0.0), 0.0) << peer.dump();
      EXPECT_GT(peer.value("max_rss_bytes", std::uint64_t{0}), 0u) << peer.dump();
      EXPECT_EQ(peer.value("from_origin", std::uint64_t{0}) +
                    peer.value("from_peers", std::uint64_t{0}) +
                    peer.value("from_cache", std::uint64_t{0}),
                kSize)
          << peer.dump();
    }
  }
};

// 3 peers of 1 TiB do not fit on a test machine: the run says so before it makes anything (a
// run that fills the disk leaves a machine that cannot start a process).
TEST_F(LabRunTest, ARunTheDiskCannotHoldIsRefusedBeforeAnythingIsMade) {
  auto ran = harness::run_command({kLab, "run", "--peers", "3", "--size", "1T", "--json",
                                   "--swarmcopy", kCli, "--timeout", "120"},
                                  60s);
  ASSERT_TRUE(ran.has_value()) << ran.error().message;
  EXPECT_NE(ran->exit_code, 0);
  EXPECT_NE(ran->err.find("not enough disk"), std::string::npos) << ran->err;
  // The origin's file and, for each of 3 peers, a destination and a cache item.
  EXPECT_NE(ran->err.find("up to 7 TiB"), std::string::npos) << ran->err;
  EXPECT_EQ(ran->out, "");
  // Other lab tests may run meanwhile: the run's own log says it made no lab.
  EXPECT_EQ(ran->err.find("namespaces origin"), std::string::npos) << ran->err;
}

TEST_F(LabRunTest, LanPeersShareSoTheOriginSendsLessThanToCurl) {
  const json lan = run_lab({"--mode", "lan"});
  const json curl = run_lab({"--mode", "curl"});
  ASSERT_FALSE(HasFailure());
  for (const json* report : {&lan, &curl}) {
    expect_complete_peers(*report);
    EXPECT_TRUE((*report)["ideal_seconds"].is_null()) << "unshaped: " << report->dump();
    EXPECT_TRUE((*report)["last_finish_ratio"].is_null()) << "unshaped: " << report->dump();
    EXPECT_TRUE((*report)["last_finish_seconds"].is_number()) << report->dump();
  }
  EXPECT_GT(lan.value("origin_metadata_bytes", std::uint64_t{0}), 0u)
      << "lan peers fetch f.bin.torrent: " << lan.dump();

  EXPECT_GT(lan.value("peer_bytes_pct", 0.0), 0.0) << lan.dump();
  std::uint64_t from_peers = 0, uploaded = 0;
  for (const auto& peer : lan["per_peer"]) {
    from_peers += peer.value("from_peers", std::uint64_t{0});
    uploaded += peer.value("uploaded", std::uint64_t{0});
    EXPECT_FALSE(peer["timeline"].empty()) << "--json-progress lines: " << peer.dump();
  }
  EXPECT_GT(from_peers, 0u) << lan.dump();
  // Counted on the receiving side: peers uploaded at least what was taken from them (a block
  // that arrived twice, from a peer and the origin, was sent but counts once).
  EXPECT_GE(uploaded, from_peers) << lan.dump();
  EXPECT_LT(uploaded, from_peers + from_peers / 10) << lan.dump();

  EXPECT_DOUBLE_EQ(curl.value("origin_egress_ratio", 0.0), 3.0) << curl.dump();
  EXPECT_EQ(curl.value("peer_bytes_pct", -1.0), 0.0) << curl.dump();
  EXPECT_LT(lan.value("origin_egress_ratio", 99.0), curl.value("origin_egress_ratio", 0.0))
      << "lan: " << lan.dump() << "\ncurl: " << curl.dump();
}

// A sweep against an unshaped origin has no ideal time: its report still plots the last
// finish (in seconds) rather than failing in gnuplot for want of y values.
TEST_F(LabRunTest, AnUnshapedSweepPlotsTheLastFinishInSeconds) {
  if (auto gnuplot = harness::find_program("gnuplot"); !gnuplot) {
    GTEST_SKIP() << "the report's plots need gnuplot: " << gnuplot.error().message;
  }
  test::TestDir report("lab-sweep-");
  auto ran =
      harness::run_command({kLab, "sweep", "--peers", "1,2", "--modes", "curl", "--size", "4M",
                            "--report", report.path().string(), "-q", "--timeout", "120"},
                           300s);
  ASSERT_TRUE(ran.has_value()) << ran.error().message;
  EXPECT_EQ(ran->exit_code, 0) << ran->err;
  const auto plot = test::TestDir::read(report / "last_finish.gp");
  EXPECT_NE(plot.find("last finish (s)"), std::string::npos) << plot;
  EXPECT_TRUE(fs::exists(report / "last_finish.svg"));
  EXPECT_TRUE(fs::exists(report / "egress.svg"));
}

// The hard day: a peer killed mid-way, the origin unplugged for a while, then a second round
// from the caches, with a report. The survivors end right, the killed peer leaves no partial
// file at its destination, the second round costs the origin nothing for peers that have the
// file cached, and nothing of the lab is left.
TEST_F(LabRunTest, PeerKilledOriginOutageAndASecondRoundFromCaches) {
  if (auto gnuplot = harness::find_program("gnuplot"); !gnuplot) {
    GTEST_SKIP() << "the report's plots need gnuplot: " << gnuplot.error().message;
  }
  const fs::path report_dir =
      fs::temp_directory_path() / ("lab-report-" + std::to_string(::getpid()));
  fs::remove_all(report_dir);
  const json report =
      run_lab({"--mode", "lan", "--origin-rate", "200mbit", "--churn", "1", "--origin-outage",
               "1:2", "--rounds", "2", "--report", report_dir.string()});
  ASSERT_FALSE(HasFailure());
  expect_complete_peers(report);
  const auto& killed = report["per_peer"][2];
  EXPECT_TRUE(killed.value("killed", false)) << killed.dump();
  EXPECT_EQ(killed.value("file", ""), "absent") << "no partial file: " << killed.dump();
  EXPECT_GE(
      killed.value("from_origin", std::uint64_t{0}) + killed.value("from_peers", std::uint64_t{0}),
      kSize / 2)
      << "killed once it had half the file: " << killed.dump();
  EXPECT_TRUE(report["last_finish_ratio"].is_number()) << report.dump();
  EXPECT_EQ(report["scenario"]["churn"], 1);
  EXPECT_TRUE(report["scenario"]["origin_outage"].is_object()) << report.dump();

  ASSERT_EQ(report["later_rounds"].size(), 1u) << report.dump();
  const auto& second = report["later_rounds"][0];
  expect_complete_peers(second);
  for (const auto& peer : second["per_peer"]) {
    if (peer.value("name", "") == "peer3") continue;  // killed in round 1: nothing cached
    EXPECT_EQ(peer.value("from_cache", std::uint64_t{0}), kSize) << peer.dump();
    EXPECT_EQ(peer.value("from_origin", std::uint64_t{1}), 0u) << peer.dump();
  }
  EXPECT_LE(second.value("origin_bytes", kSize + 1), kSize) << second.dump();

  for (const char* name : {"report.md", "report.json", "sources.svg", "completion.svg"}) {
    EXPECT_TRUE(fs::exists(report_dir / name)) << name;
  }
  std::ifstream markdown(report_dir / "report.md");
  const std::string text((std::istreambuf_iterator<char>(markdown)), {});
  EXPECT_NE(text.find("origin egress ratio"), std::string::npos) << text;
  EXPECT_NE(text.find("killed"), std::string::npos) << text;

  // Each peer's `swarmcopy status` of its home, linked from the report: a survivor's history
  // holds both rounds (the file once over the network, once from its cache).
  const auto& status = report["peer_status"];
  ASSERT_TRUE(status.is_object()) << report.dump();
  const auto& first = status["peer1"];
  ASSERT_TRUE(first.is_object()) << status.dump();
  EXPECT_EQ(first["totals"]["received"], 2 * kSize) << first.dump();
  EXPECT_EQ(first["totals"]["cache"], kSize) << first.dump();
  EXPECT_TRUE(fs::exists(report_dir / "status" / "peer1.json"));
  EXPECT_NE(text.find("[status/peer1.json](status/peer1.json)"), std::string::npos) << text;
  fs::remove_all(report_dir);
}

// A site of two subnets behind a router, group mode at an opentracker in the origin's
// namespace, the last peer on a VPN (its link named tun0): peer2, alone in subnet 1, gets
// pieces from the others (only the tracker can have brought them: multicast stops at the
// router); the VPN peer takes the whole file from the origin and gives nothing; the report says
// where each peer sat. Normal priority: peers first, then the origin.
TEST_F(LabRunTest, GroupModeAcrossTwoSubnetsWithAVpnPeer) {
  if (auto opentracker = harness::find_program("opentracker"); !opentracker) {
    GTEST_SKIP() << "opentracker is needed (scripts/install-deps.sh)";
  }
  const json report = run_lab(
      {"--mode", "group", "--subnets", "2", "--tracker", "--vpn", "1", "--priority", "normal"});
  ASSERT_FALSE(HasFailure());
  expect_complete_peers(report);
  EXPECT_EQ(report["scenario"].value("subnets", 0), 2) << report.dump();
  EXPECT_EQ(report["scenario"].value("group_id", ""), "scl-site") << report.dump();
  const auto& peers = report["per_peer"];
  ASSERT_EQ(peers.size(), 3u);
  EXPECT_EQ(peers[0].value("subnet", -1), 0);
  EXPECT_EQ(peers[1].value("subnet", -1), 1);
  EXPECT_EQ(peers[2].value("subnet", -1), 0);
  EXPECT_GT(peers[1].value("from_peers", std::uint64_t{0}), 0u) << peers[1].dump();
  EXPECT_FALSE(peers[1].value("vpn", true));
  EXPECT_TRUE(peers[2].value("vpn", false)) << peers[2].dump();
  EXPECT_EQ(peers[2].value("from_peers", std::uint64_t{1}), 0u) << peers[2].dump();
  EXPECT_EQ(peers[2].value("uploaded", std::uint64_t{1}), 0u) << peers[2].dump();
  EXPECT_EQ(peers[2].value("from_origin", std::uint64_t{0}), kSize) << peers[2].dump();
  // The VPN peer's copy, and about one for the group.
  EXPECT_LE(report.value("origin_egress_ratio", 9.0), 2.1) << report.dump();
}

TEST_F(LabRunTest, SiteOptionsThatDoNotFitAreRefusedWithASentence) {
  for (const auto& [args, says] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--mode", "group"}, "--mode group needs --tracker"},
           {{"--mode", "lan", "--tracker"}, "--tracker is for --mode group"},
           {{"--mode", "group", "--tracker", "--workload", "apt"}, "wired for --workload file"},
           {{"--mode", "curl", "--vpn", "1"}, "--vpn applies to peers that meet others"},
           {{"--mode", "lan", "--vpn", "4"}, "more than the 3 peers"}}) {
    std::vector<std::string> argv = {kLab,     "run", "--peers",     "3",
                                     "--size", "1M",  "--swarmcopy", kCli};
    argv.insert(argv.end(), args.begin(), args.end());
    auto ran = harness::run_command(argv, 60s);
    ASSERT_TRUE(ran.has_value()) << ran.error().message;
    EXPECT_EQ(ran->exit_code, 1) << args.back();
    EXPECT_NE(ran->err.find(says), std::string::npos) << ran->err;
    EXPECT_EQ(ran->err.find("namespaces origin"), std::string::npos) << ran->err;
  }
}

}  // namespace
}  // namespace swarmcopy::test
