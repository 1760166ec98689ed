// count_received / restart_counts: each byte of a file counts once for the source of its first
// copy, every later copy as refetched, and the counts always add up to what was received.
#include "received_bytes.h"

#include <gtest/gtest.h>

namespace swarmcopy::engine {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

// The invariant count_received keeps, whatever the order of arrivals.
void expect_sources_match_received(const FileRecord& file) {
  EXPECT_EQ(file.from_origin + file.from_peers + file.from_cache, file.received.total());
}

TEST(RangeSetOverlap, CountsOnlyTheHeldPartOfARange) {
  const RangeSet set({{0, 100}, {200, 300}, {400, 500}});
  EXPECT_EQ(set.overlap({0, 100}), 100u);
  EXPECT_EQ(set.overlap({50, 250}), 100u);  // 50 of the first, 50 of the second
  EXPECT_EQ(set.overlap({100, 200}), 0u);   // the gap between them
  EXPECT_EQ(set.overlap({0, 1000}), 300u);
  EXPECT_EQ(set.overlap({450, 450}), 0u);  // empty
  EXPECT_EQ(RangeSet().overlap({0, 10}), 0u);
}

TEST(ReceivedBytes, AFirstArrivalCountsForItsSource) {
  FileRecord file;
  count_received(file, {0, 4 * kMiB}, ByteSource::kOrigin);
  count_received(file, {4 * kMiB, 6 * kMiB}, ByteSource::kPeers);
  count_received(file, {6 * kMiB, 7 * kMiB}, ByteSource::kCache);
  EXPECT_EQ(file.from_origin, 4 * kMiB);
  EXPECT_EQ(file.from_peers, 2 * kMiB);
  EXPECT_EQ(file.from_cache, 1 * kMiB);
  EXPECT_EQ(file.refetched, 0u);
  expect_sources_match_received(file);
}

// A kill lost the unsynced tail: [0, 3 MiB) had arrived and was counted, [0, 2 MiB) was synced.
// The resumed run fetches from 2 MiB: the first MiB of that is a second copy.
TEST(ReceivedBytes, BytesLostToACrashCountAsRefetchedWhenTheyComeAgain) {
  FileRecord file;
  file.size = 8 * kMiB;
  count_received(file, {0, 3 * kMiB}, ByteSource::kOrigin);
  file.verified = RangeSet({{0, 2 * kMiB}});
  count_received(file, {2 * kMiB, 8 * kMiB}, ByteSource::kOrigin);
  EXPECT_EQ(file.from_origin, 8 * kMiB);  // the file's size: each byte once
  EXPECT_EQ(file.refetched, 1 * kMiB);
  expect_sources_match_received(file);
}

// An origin that ignores Range sends the file from byte 0 again on every resume.
TEST(ReceivedBytes, AnOriginThatIgnoresRangeRefetchesEverythingReceivedBefore) {
  FileRecord file;
  count_received(file, {0, 5 * kMiB}, ByteSource::kOrigin);  // first run, interrupted
  count_received(file, {0, 7 * kMiB}, ByteSource::kOrigin);  // second run, interrupted
  count_received(file, {0, 9 * kMiB}, ByteSource::kOrigin);  // third run, to the end
  EXPECT_EQ(file.from_origin, 9 * kMiB);
  EXPECT_EQ(file.refetched, 12 * kMiB);  // 5 + 7
  expect_sources_match_received(file);
}

// The first copy decides the source: a peer's second copy of origin bytes is refetched, and the
// peers get only what was new to the file.
TEST(ReceivedBytes, ASecondCopyFromAnotherSourceIsRefetchedNotMoved) {
  FileRecord file;
  count_received(file, {0, 2 * kMiB}, ByteSource::kOrigin);
  count_received(file, {1 * kMiB, 4 * kMiB}, ByteSource::kPeers);
  EXPECT_EQ(file.from_origin, 2 * kMiB);
  EXPECT_EQ(file.from_peers, 2 * kMiB);
  EXPECT_EQ(file.refetched, 1 * kMiB);
  expect_sources_match_received(file);
}

// A copy from the local cache (a crash after the cache item was complete, say) moves nothing
// over the network: it adds the bytes the file never had, and refetches nothing.
TEST(ReceivedBytes, ACacheCopyOfBytesReceivedBeforeIsNotRefetched) {
  FileRecord file;
  count_received(file, {0, 4 * kMiB}, ByteSource::kOrigin);
  count_received(file, {0, 5 * kMiB}, ByteSource::kCache);
  EXPECT_EQ(file.from_origin, 4 * kMiB);
  EXPECT_EQ(file.from_cache, 1 * kMiB);
  EXPECT_EQ(file.refetched, 0u);
  expect_sources_match_received(file);
}

// A piece that failed its check was received but not kept: refetched, and the good copy that
// comes next counts for its source.
TEST(ReceivedBytes, ADiscardedCopyIsRefetchedAndTheKeptCopyCountsForItsSource) {
  FileRecord file;
  count_discarded(file, 1 * kMiB);
  count_received(file, {0, 1 * kMiB}, ByteSource::kPeers);
  EXPECT_EQ(file.from_peers, 1 * kMiB);
  EXPECT_EQ(file.from_origin, 0u);
  EXPECT_EQ(file.refetched, 1 * kMiB);
  expect_sources_match_received(file);
}

TEST(ReceivedBytes, ANewContentMakesEveryCountedByteRefetched) {
  FileRecord file;
  count_received(file, {0, 3 * kMiB}, ByteSource::kOrigin);
  count_received(file, {3 * kMiB, 4 * kMiB}, ByteSource::kPeers);
  count_received(file, {0, 1 * kMiB}, ByteSource::kOrigin);
  restart_counts(file);
  EXPECT_EQ(file.from_origin, 0u);
  EXPECT_EQ(file.from_peers, 0u);
  EXPECT_EQ(file.refetched, 5 * kMiB);  // 1 refetched before, 4 of the old content
  EXPECT_TRUE(file.received.empty());
  count_received(file, {0, 2 * kMiB}, ByteSource::kOrigin);  // the new content, from nothing
  EXPECT_EQ(file.from_origin, 2 * kMiB);
  EXPECT_EQ(file.refetched, 5 * kMiB);
  expect_sources_match_received(file);
}

}  // namespace
}  // namespace swarmcopy::engine
