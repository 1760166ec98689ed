// Origin deconfliction's ranking: every peer agrees on one owner per piece, owners share the
// pieces about evenly, and a dead owner's pieces go to exactly one live successor.
#include "swarm/piece_owner.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "swarm/metadata_fetch.h"

namespace swarmcopy::engine::swarm {
namespace {

std::vector<std::string> peer_ids(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back("-SC0100-" + std::string(11, 'a') + char('A' + i));
  return ids;
}

TEST(PieceOwner, ExactlyOnePeerOwnsEachPieceAndTheShareIsEven) {
  const auto ids = peer_ids(8);
  constexpr std::uint32_t kPieces = 4096;
  std::map<std::string, int> owned;
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) {
    int owners = 0;
    for (const auto& id : ids) {
      if (origin_owner_is_self(id, piece, ids, ids)) {
        ++owners;
        ++owned[id];
      }
    }
    ASSERT_EQ(owners, 1) << "piece " << piece;
  }
  for (const auto& [id, count] : owned) {
    // 512 expected each; a fair hash stays well within +-25 %.
    EXPECT_GT(count, 384) << id;
    EXPECT_LT(count, 640) << id;
  }
}

TEST(PieceOwner, ADeadOwnersPiecesGoToExactlyOneLivePeer) {
  const auto ids = peer_ids(5);
  std::vector<std::string> live(ids.begin() + 1, ids.end());  // ids[0] died
  int inherited = 0;
  for (std::uint32_t piece = 0; piece < 2000; ++piece) {
    int owners = 0;
    for (const auto& id : live) owners += origin_owner_is_self(id, piece, ids, live) ? 1 : 0;
    ASSERT_EQ(owners, 1) << "piece " << piece;
    inherited += origin_owner_is_self(ids[0], piece, ids, ids) ? 1 : 0;
  }
  EXPECT_GT(inherited, 0);  // the dead peer did own some: they found a successor above
}

TEST(PieceOwner, APeerAloneOwnsEverything) {
  const std::vector<std::string> none;
  for (std::uint32_t piece = 0; piece < 100; ++piece) {
    EXPECT_TRUE(origin_owner_is_self("me", piece, none, none));
  }
}

TEST(PieceOwner, RankIsStableAcrossCallsAndSpreadsOverPieces) {
  EXPECT_EQ(piece_rank("peer", 7), piece_rank("peer", 7));
  EXPECT_NE(piece_rank("peer", 7), piece_rank("peer", 8));
  EXPECT_NE(piece_rank("peer-a", 7), piece_rank("peer-b", 7));
}

TEST(MetadataUrl, TorrentIsAddedToThePathBeforeTheQuery) {
  EXPECT_EQ(default_metadata_url("http://h/p/f.iso"), "http://h/p/f.iso.torrent");
  EXPECT_EQ(default_metadata_url("http://h/p/f.iso?x=1&y=2"), "http://h/p/f.iso.torrent?x=1&y=2");
  EXPECT_EQ(default_metadata_url("https://h/f#frag"), "https://h/f.torrent");
}

}  // namespace
}  // namespace swarmcopy::engine::swarm
