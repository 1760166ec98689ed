// Peer policy: the rules an administrator sets on where bytes may come from and go to. No
// peering over a VPN: while an interface matching vpn_interfaces is up, a file takes nothing from
// peers (here the pattern names loopback, the one interface a test can count on being up; the
// control run names none and takes the file from the peer). A machine short of free disk serves
// no peer (the control: every other swarm test, where a seeder serves).
#include <signal.h>

#include "nginx/test_files.h"
#include "swarm_fixture.h"

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

  auto on_vpn = json_of(run_get(url_, out_ / "vpn.bin", home_b_.path(),
                                {"--peer", peer_arg(port), "--vpn-interfaces", "tun* lo"}));
  EXPECT_EQ(on_vpn["state"], "ACKNOWLEDGED") << on_vpn.dump();
  EXPECT_EQ(sha256_file(out_ / "vpn.bin").value_or(""), sha_);
  EXPECT_EQ(on_vpn["from_peers"], 0) << on_vpn.dump();
  EXPECT_EQ(on_vpn["from_origin"], kSize) << on_vpn.dump();
  EXPECT_EQ(on_vpn["uploaded"], 0) << on_vpn.dump();
  EXPECT_EQ(on_vpn["peers_seen"], 0) << on_vpn.dump();
  EXPECT_NE(on_vpn["peers_unused_reason"].dump().find("interface lo is up"), std::string::npos)
      << on_vpn.dump();

  // The same machine with a rule no interface matches: the peer serves it.
  auto off_vpn = json_of(run_get(url_, out_ / "lan.bin", home_c_.path(),
                                 {"--peer", peer_arg(port), "--vpn-interfaces", "wg-none*"}));
  EXPECT_EQ(off_vpn["state"], "ACKNOWLEDGED") << off_vpn.dump();
  EXPECT_GT(off_vpn["from_peers"].get<std::uint64_t>(), 0u) << off_vpn.dump();
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

}  // namespace
}  // namespace swarmcopy::test
