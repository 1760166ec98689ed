// The peer tally: what each peer gave and took survives its reconnects and departures.
#include "swarm/peer_tally.h"

#include <gtest/gtest.h>

#include <map>

namespace swarmcopy::engine::swarm {
namespace {

peer::PeerStats stats(const std::string& id, std::uint64_t down, std::uint64_t up,
                      bool seed = false) {
  peer::PeerStats peer;
  peer.address = "10.0.0.1:6881";
  peer.peer_id = id;
  peer.bytes_down = down;
  peer.bytes_up = up;
  peer.seed = seed;
  return peer;
}

TEST(PeerTally, BytesOfEndedConnectionsAreKept) {
  PeerTally tally;
  EXPECT_TRUE(tally.update({stats("a", 100, 10)}));
  EXPECT_FALSE(tally.update({stats("a", 300, 20)}));  // the same connection, further on
  EXPECT_EQ(tally.connected(), 1u);
  EXPECT_FALSE(tally.update({}));  // it left
  EXPECT_EQ(tally.connected(), 0u);
  EXPECT_FALSE(tally.update({stats("a", 50, 5)}));  // a new connection counts from zero
  const auto traffic = tally.traffic();
  ASSERT_EQ(traffic.size(), 1u);
  EXPECT_EQ(traffic[0].bytes_down, 350u);
  EXPECT_EQ(traffic[0].bytes_up, 25u);
  // A reconnect between two views: its counters went down.
  tally.update({stats("a", 10, 1)});
  EXPECT_EQ(tally.traffic()[0].bytes_down, 360u);
}

TEST(PeerTally, SeedsAreNotDownloaders) {
  PeerTally tally;
  EXPECT_TRUE(tally.update({stats("a", 0, 0), stats("s", 0, 0, true)}));
  EXPECT_EQ(tally.seen(), 2u);
  EXPECT_EQ(tally.downloaders(), std::vector<std::string>{"a"});
  tally.update({});
  EXPECT_EQ(tally.downloaders(), std::vector<std::string>{"a"});  // gone, still a participant
}

// `job explain`'s verdicts: each peer says how it was found and why it gave bytes or not.
TEST(PeerTally, ExplainsWhyEachPeerWasUsedOrNot) {
  PeerTally tally;
  const std::vector<bool> ours{true, false};  // this machine lacks piece 1
  const auto lacks = [&](const std::vector<bool>& have) {
    for (std::size_t i = 0; i < have.size(); ++i) {
      if (have[i] && !ours[i]) return true;
    }
    return false;
  };
  auto giver = stats("giver", 4096, 0);
  giver.address = "10.0.0.2:1";
  giver.found_by = "lsd";
  giver.have = {true, true};
  auto useless = stats("useless", 0, 512);
  useless.address = "10.0.0.3:1";
  useless.found_by = "incoming";
  useless.have = {true, false};
  auto choker = stats("choker", 0, 0);
  choker.address = "10.0.0.4:1";
  choker.found_by = "listed";
  choker.have = {false, true};
  choker.choked_us = true;
  auto slow = stats("slow", 0, 0);
  slow.address = "10.0.0.5:1";
  slow.found_by = "group";
  slow.have = {false, true};
  auto liar = stats("liar", 8192, 0);
  liar.address = "10.0.0.6:1";
  liar.found_by = "lsd";
  tally.update({giver, useless, choker, slow, liar}, lacks);
  // found_by is the first sighting's: a reconnect from the other side does not change it.
  giver.found_by = "incoming";
  tally.update({giver, useless, choker, slow, liar}, lacks);
  tally.banned({"10.0.0.6:1"});
  std::uint32_t omitted = 7;
  const auto peers = tally.explain(&omitted);
  EXPECT_EQ(omitted, 0u);
  std::map<std::string, api::PeerExplanation> by_addr;
  for (const auto& peer : peers) by_addr[peer.addr] = peer;
  ASSERT_EQ(by_addr.size(), 5u);
  EXPECT_EQ(by_addr["10.0.0.2:1"].verdict, "used");
  EXPECT_EQ(by_addr["10.0.0.2:1"].found_by, "lsd");
  EXPECT_EQ(by_addr["10.0.0.2:1"].bytes_down, 4096u);
  EXPECT_EQ(by_addr["10.0.0.3:1"].verdict, "had no piece this machine lacked");
  EXPECT_EQ(by_addr["10.0.0.3:1"].bytes_up, 512u);
  EXPECT_EQ(by_addr["10.0.0.4:1"].verdict,
            "kept this machine choked while it had pieces this machine lacked");
  EXPECT_EQ(by_addr["10.0.0.4:1"].found_by, "listed");
  EXPECT_EQ(by_addr["10.0.0.5:1"].verdict,
            "its pieces came from elsewhere first (the origin or faster peers)");
  EXPECT_EQ(by_addr["10.0.0.5:1"].found_by, "group");
  EXPECT_EQ(by_addr["10.0.0.6:1"].verdict, "banned: it sent data that failed the hash check");
}

TEST(PeerTally, ExplainsAtMostTheExplanationsLimit) {
  PeerTally tally;
  std::vector<peer::PeerStats> many;
  for (std::size_t i = 0; i < api::FileExplanation::kMaxPeers + 5; ++i) {
    many.push_back(stats("peer" + std::to_string(i), 0, 0));
  }
  tally.update(many);
  std::uint32_t omitted = 0;
  EXPECT_EQ(tally.explain(&omitted).size(), api::FileExplanation::kMaxPeers);
  EXPECT_EQ(omitted, 5u);
}

}  // namespace
}  // namespace swarmcopy::engine::swarm
