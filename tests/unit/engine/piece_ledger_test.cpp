// The piece ledger: one state and one source per piece; each piece counted once, by who really
// sent its bytes; the temporary file's copy tracked apart from the cache item's.
#include "swarm/piece_ledger.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace swarmcopy::engine::swarm {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kPiece = 16384;
// Four pieces, the last one short.
constexpr std::uint64_t kSize = 3 * kPiece + 100;

TEST(PieceLedger, PiecesFollowTheSizeWithAShortLastOne) {
  PieceLedger ledger(kSize, kPiece, {});
  ASSERT_EQ(ledger.pieces(), 4u);
  EXPECT_EQ(ledger.size_of(0), kPiece);
  EXPECT_EQ(ledger.size_of(3), 100u);
  EXPECT_EQ(ledger.range_of(3), (ByteRange{3 * kPiece, kSize}));
  EXPECT_FALSE(ledger.has_earlier_run());
  EXPECT_FALSE(ledger.complete());
}

TEST(PieceLedger, OurOriginBytesCountForTheOriginAndAPeersForThePeers) {
  PieceLedger ledger(kSize, kPiece, {});
  const auto now = Clock::now();
  ledger.request(0);
  ledger.hand_to_swarm(0, now);
  EXPECT_EQ(ledger.unchecked_bytes(), kPiece);
  EXPECT_TRUE(ledger.swarm_verified(0));   // libtorrent checked the bytes we gave it
  EXPECT_TRUE(ledger.swarm_verified(1));   // and one it got from a peer
  EXPECT_FALSE(ledger.swarm_verified(1));  // its have-bits tell again: counted once
  ledger.request(2);
  ledger.start_write(2);
  EXPECT_TRUE(ledger.writes_pending());
  EXPECT_TRUE(ledger.direct_written(2, true));
  EXPECT_FALSE(ledger.writes_pending());
  EXPECT_EQ(ledger.bytes_from(PieceSource::kOrigin), 2 * kPiece);
  EXPECT_EQ(ledger.bytes_from(PieceSource::kPeers), kPiece);
  EXPECT_EQ(ledger.verified_bytes(), 3 * kPiece);
  EXPECT_EQ(ledger.unchecked_bytes(), 0u);
  EXPECT_EQ(ledger.verified_pieces(), (std::vector<bool>{true, true, true, false}));
}

// A piece in an origin request that a peer brought first: the peer's. libtorrent reporting a
// piece we are writing ourselves (its check of a resumed item): ours, and only once.
TEST(PieceLedger, WhoSentTheBytesIsWhoIsCounted) {
  PieceLedger ledger(kSize, kPiece, {});
  ledger.request(0);
  EXPECT_TRUE(ledger.swarm_verified(0));
  EXPECT_EQ(ledger[0].source, PieceSource::kPeers);
  ledger.request(1);
  ledger.start_write(1);
  EXPECT_TRUE(ledger.swarm_verified(1));
  EXPECT_TRUE(ledger.direct_written(1, true));
  EXPECT_EQ(ledger.bytes_from(PieceSource::kOrigin), kPiece);
  EXPECT_EQ(ledger.bytes_from(PieceSource::kPeers), kPiece);
  EXPECT_EQ(ledger.verified_bytes(), 2 * kPiece);
}

TEST(PieceLedger, BadOriginBytesAreOursToFetchAgainAndAPeersAreNot) {
  PieceLedger ledger(kSize, kPiece, {});
  ledger.request(0);
  ledger.hand_to_swarm(0, Clock::now());
  EXPECT_TRUE(ledger.check_failed(0));
  EXPECT_TRUE(ledger.missing(0));
  EXPECT_FALSE(ledger.check_failed(1));  // a peer's bad data: libtorrent's business
  ledger.request(2);
  ledger.start_write(2);
  EXPECT_FALSE(ledger.direct_written(2, false));
  EXPECT_TRUE(ledger.missing(2));
  EXPECT_EQ(ledger.verified_bytes(), 0u);
  EXPECT_EQ(ledger.bytes_from(PieceSource::kOrigin), 0u);
}

TEST(PieceLedger, HandedOverBytesWithoutAVerdictExpire) {
  PieceLedger ledger(kSize, kPiece, {});
  const auto then = Clock::now();
  ledger.request(0);
  ledger.hand_to_swarm(0, then);
  ledger.request(1);
  ledger.hand_to_swarm(1, then + 10s);
  ledger.expire_checks(then + 5s);
  EXPECT_TRUE(ledger.missing(0));
  EXPECT_EQ(ledger[1].fetch, PieceFetch::kChecking);
}

TEST(PieceLedger, AnEndedRequestGivesBackOnlyWhatItDidNotHandOver) {
  PieceLedger ledger(kSize, kPiece, {});
  for (std::uint32_t piece = 0; piece < 3; ++piece) ledger.request(piece);
  ledger.hand_to_swarm(0, Clock::now());
  for (std::uint32_t piece = 0; piece < 3; ++piece) ledger.unrequest(piece);
  EXPECT_EQ(ledger[0].fetch, PieceFetch::kChecking);
  EXPECT_TRUE(ledger.missing(1));
  EXPECT_TRUE(ledger.missing(2));
}

TEST(PieceLedger, AnItemCompleteBeforeItsAlertsCountsTheRestByWhoSentThem) {
  PieceLedger ledger(kSize, kPiece, {});
  ledger.request(0);
  ledger.hand_to_swarm(0, Clock::now());
  ledger.all_verified();
  EXPECT_TRUE(ledger.complete());
  EXPECT_EQ(ledger.bytes_from(PieceSource::kOrigin), kPiece);
  EXPECT_EQ(ledger.bytes_from(PieceSource::kPeers), kSize - kPiece);
  EXPECT_EQ(ledger.verified_bytes(), kSize);
}

TEST(PieceLedger, VerifiedPiecesGoToTheFileThenBecomeDurable) {
  PieceLedger ledger(kSize, kPiece, {});
  EXPECT_TRUE(ledger.take_copy_batch().empty());
  ledger.swarm_verified(0);
  ledger.swarm_verified(2);
  const auto batch = ledger.take_copy_batch();
  EXPECT_EQ(batch, (std::vector<bool>{true, false, true, false}));
  EXPECT_TRUE(ledger.take_copy_batch().empty());  // being copied: not asked twice
  EXPECT_TRUE(ledger.in_file().empty());
  ledger.copied(batch, false);  // failed: asked again
  EXPECT_EQ(ledger.take_copy_batch(), batch);
  ledger.copied(batch, true);
  const auto snapshot = ledger.in_file();
  EXPECT_EQ(snapshot.total(), 2 * kPiece);
  ledger.swarm_verified(1);
  ledger.copied(ledger.take_copy_batch(), true);
  ledger.made_durable(snapshot);  // the sync covered what was in the file when it started
  EXPECT_EQ(ledger[0].copy, PieceCopy::kDurable);
  EXPECT_EQ(ledger[1].copy, PieceCopy::kCopied);
  EXPECT_EQ(ledger.in_file().total(), 3 * kPiece);
}

// An earlier run's pieces: counted then, never again; in the file if it kept them, while the
// cache item may still need them (their fetch stage is independent).
TEST(PieceLedger, AnEarlierRunsPiecesAreAdoptedAndNeverCountedAgain) {
  PieceLedger ledger(kSize, kPiece, RangeSet({ByteRange{0, 2 * kPiece + 10}}));
  EXPECT_TRUE(ledger.has_earlier_run());
  EXPECT_EQ(ledger.earlier_run_pieces(), (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(ledger[0].source, PieceSource::kEarlierRun);
  EXPECT_EQ(ledger[1].source, PieceSource::kEarlierRun);
  EXPECT_EQ(ledger[2].source, PieceSource::kNone);  // only partly durable: not kept
  EXPECT_TRUE(ledger.missing(0));                   // the cache item may not have it
  ledger.adopted({true, false, false, false});      // the file lost piece 1
  EXPECT_EQ(ledger[0].copy, PieceCopy::kCopied);
  EXPECT_EQ(ledger[1].copy, PieceCopy::kAbsent);
  ledger.swarm_verified(0);
  ledger.swarm_verified(1);
  EXPECT_EQ(ledger.bytes_from(PieceSource::kPeers), 0u);
  EXPECT_EQ(ledger.verified_bytes(), 2 * kPiece);
  // Piece 1 is copied from the cache item again; piece 0 is in the file already.
  EXPECT_EQ(ledger.take_copy_batch(), (std::vector<bool>{false, true, false, false}));
}

TEST(PieceLedger, LacksWhatAPeerHasAndWeHaveNotVerified) {
  PieceLedger ledger(kSize, kPiece, {});
  ledger.swarm_verified(1);
  EXPECT_FALSE(ledger.lacks_any_of({false, true, false, false}));
  EXPECT_TRUE(ledger.lacks_any_of({false, true, true}));
  EXPECT_FALSE(ledger.lacks_any_of({}));
}

}  // namespace
}  // namespace swarmcopy::engine::swarm
