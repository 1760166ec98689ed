// Peer policy: the rules an administrator sets on where bytes may come from and go to. No
// peering over a VPN: while an interface matching vpn_interfaces is up, a file takes nothing from
// peers (here the pattern names loopback, the one interface a test can count on being up; the
// control run names none and takes the file from the peer). A file below min_peer_file_size
// comes from the origin alone (one of the minimum size is peered). A machine short of free disk
// serves no peer (the control: every other swarm test, where a seeder serves). A daemon takes a new
// policy on SIGHUP, without a restart.
#include <signal.h>

#include <fstream>

#include "daemon/daemon_process.h"
#include "nginx/test_files.h"
#include "swarm_fixture.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kSize = 4ull << 20;

class PeerPolicyTest : public SwarmFixture {
 protected:
  void SetUp() override {
    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
  }
  std::string sha_;
  std::string url_;
};

TEST_F(PeerPolicyTest, NoPeeringWhileAVpnInterfaceIsUp) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port);
  ASSERT_TRUE(seeder);

  auto on_vpn =
      json_of(run_get(url_, out_ / "vpn.bin", home_b_.path(),
                      {"--peer", peer_arg(port), "--vpn-interfaces", "tun* lo", "--explain"}));
  EXPECT_EQ(on_vpn["state"], "ACKNOWLEDGED") << on_vpn.dump();
  EXPECT_EQ(sha256_file(out_ / "vpn.bin").value_or(""), sha_);
  EXPECT_EQ(on_vpn["from_peers"], 0) << on_vpn.dump();
  EXPECT_EQ(on_vpn["from_origin"], kSize) << on_vpn.dump();
  EXPECT_EQ(on_vpn["uploaded"], 0) << on_vpn.dump();
  EXPECT_EQ(on_vpn["peers_seen"], 0) << on_vpn.dump();
  EXPECT_NE(on_vpn["peers_unused_reason"].dump().find("interface lo is up"), std::string::npos)
      << on_vpn.dump();
  // `explain` names the rule.
  EXPECT_NE(on_vpn["explanation"]["files"][0]["notes"].dump().find(
                "no peers: the VPN or tunnel interface lo is up"),
            std::string::npos)
      << on_vpn.dump();

  // The same machine with a rule no interface matches: the peer serves it.
  auto off_vpn = json_of(run_get(url_, out_ / "lan.bin", home_c_.path(),
                                 {"--peer", peer_arg(port), "--vpn-interfaces", "wg-none*"}));
  EXPECT_EQ(off_vpn["state"], "ACKNOWLEDGED") << off_vpn.dump();
  EXPECT_GT(off_vpn["from_peers"].get<std::uint64_t>(), 0u) << off_vpn.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

TEST_F(PeerPolicyTest, AFileBelowTheMinimumSizeToPeerComesFromTheOriginAlone) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port);
  ASSERT_TRUE(seeder);
  auto small = json_of(run_get(
      url_, out_ / "small.bin", home_b_.path(),
      {"--peer", peer_arg(port), "--min-peer-file-size", "5M", "--explain"}));  // kSize: 4 MiB
  EXPECT_EQ(small["state"], "ACKNOWLEDGED") << small.dump();
  EXPECT_EQ(sha256_file(out_ / "small.bin").value_or(""), sha_);
  EXPECT_EQ(small["from_peers"], 0) << small.dump();
  EXPECT_EQ(small["from_origin"], kSize) << small.dump();
  EXPECT_EQ(small["peers_seen"], 0) << small.dump();
  const std::string rule = "the file has 4194304 bytes, below min_peer_file_size (5242880)";
  EXPECT_EQ(small["peers_unused_reason"], rule) << small.dump();
  EXPECT_NE(small["explanation"]["files"][0]["notes"].dump().find(rule), std::string::npos)
      << small.dump();

  // A file of the minimum size is peered.
  auto large = json_of(run_get(url_, out_ / "large.bin", home_c_.path(),
                               {"--peer", peer_arg(port), "--min-peer-file-size", "4M"}));
  EXPECT_EQ(large["state"], "ACKNOWLEDGED") << large.dump();
  EXPECT_GT(large["from_peers"].get<std::uint64_t>(), 0u) << large.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

TEST_F(PeerPolicyTest, AMachineShortOfFreeDiskServesNoPeer) {
  const auto port = free_loopback_port();
  // It downloads as any machine does, then serves nobody: its cache's disk has less free space
  // than its rule asks for.
  auto seeder = start_seeder(url_, port, {"--min-free-disk-to-upload", "1000T"});
  ASSERT_TRUE(seeder);
  auto second = json_of(run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(second["from_peers"], 0) << second.dump();
  EXPECT_EQ(second["from_origin"], kSize) << second.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// The rule of the test above, in a daemon's swarmcopyd.conf: it seeds and serves nobody. Its file
// then lifts the rule and SIGHUP tells it: the next machine takes the file from it, and the
// daemon never restarted (the same process, the same seeding swarm).
TEST_F(PeerPolicyTest, ASighupLiftsTheUploadRuleOfARunningDaemon) {
  const auto port = free_loopback_port();
  TestDir dir("swarmcopy-policy-daemon-");
  const auto config = dir / "swarmcopyd.conf";
  const auto write_config = [&](const std::string& min_free_disk_mb) {
    std::ofstream(config) << "peer_listen = " << peer_arg(port) << "\n"
                          << "local_discovery = false\n"
                          << "seed_time_seconds = 600\n"
                          << "min_free_disk_to_upload_mb = " << min_free_disk_mb << "\n";
  };
  write_config("1000000000");  // 1000 TB free: no machine has that
  DaemonOptions options;
  options.socket = dir / "swarmcopyd.sock";
  options.state_dir = dir / "state";
  options.log = dir / "swarmcopyd.log";
  options.home = dir / "home";
  options.args = {"--config", config.string()};
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();

  // The daemon fetches the file (a job like any other), then seeds it.
  const auto seeded = run_child({SWARMCOPY_CLI_PATH, "get", url_, "-o", (out_ / "a.bin").string(),
                                 "--daemon", "--socket", options.socket.string(), "--json", "-q"},
                                {}, 120s);
  ASSERT_EQ(json_of(seeded)["state"], "ACKNOWLEDGED") << seeded.out;

  auto refused = json_of(run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(refused["state"], "ACKNOWLEDGED") << refused.dump();
  EXPECT_EQ(refused["from_peers"], 0) << refused.dump();
  EXPECT_EQ(refused["from_origin"], kSize) << refused.dump();

  write_config("0");
  (*daemon)->send_signal(SIGHUP);
  EXPECT_TRUE(wait_until(
      [&] {
        return (*daemon)->log_text().find("uploads to peers allowed again") != std::string::npos;
      },
      20s))
      << (*daemon)->log_text();

  auto served = json_of(run_get(url_, out_ / "c.bin", home_c_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(served["state"], "ACKNOWLEDGED") << served.dump();
  EXPECT_EQ(sha256_file(out_ / "c.bin").value_or(""), sha_);
  EXPECT_GT(served["from_peers"].get<std::uint64_t>(), 0u) << served.dump();
  EXPECT_TRUE((*daemon)->running());
  EXPECT_EQ((*daemon)->stop(), 0);
}

}  // namespace
}  // namespace swarmcopy::test
