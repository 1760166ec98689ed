// The peer tally: what each peer gave and took survives its reconnects and departures.
#include "swarm/peer_tally.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace swarmcopy::engine::swarm
