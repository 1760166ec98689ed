#include "range_set.h"

#include <gtest/gtest.h>

namespace swarmcopy::engine {
namespace {

TEST(RangeSet, MergesOverlappingAndTouchingRanges) {
  RangeSet set;
  set.add({10, 20});
  set.add({30, 40});
  set.add({20, 30});
  ASSERT_EQ(set.ranges().size(), 1u);
  EXPECT_EQ(set.ranges()[0], (ByteRange{10, 40}));
  set.add({0, 5});
  set.add({3, 12});
  ASSERT_EQ(set.ranges().size(), 1u);
  EXPECT_EQ(set.ranges()[0], (ByteRange{0, 40}));
  EXPECT_EQ(set.total(), 40u);
}

TEST(RangeSet, KeepsDisjointRangesSorted) {
  RangeSet set;
  set.add({50, 60});
  set.add({10, 20});
  set.add({30, 40});
  ASSERT_EQ(set.ranges().size(), 3u);
  EXPECT_EQ(set.ranges()[0].begin, 10u);
  EXPECT_EQ(set.ranges()[2].begin, 50u);
  EXPECT_EQ(set.total(), 30u);
}

TEST(RangeSet, IgnoresEmptyRanges) {
  RangeSet set;
  set.add({5, 5});
  set.add({7, 3});
  EXPECT_TRUE(set.empty());
}

TEST(RangeSet, ContainsOnlyWhollyCoveredRanges) {
  RangeSet set({{0, 10}, {20, 30}});
  EXPECT_TRUE(set.contains({0, 10}));
  EXPECT_TRUE(set.contains({22, 25}));
  EXPECT_FALSE(set.contains({5, 25}));
  EXPECT_FALSE(set.contains({30, 31}));
  EXPECT_TRUE(set.contains({4, 4}));
}

TEST(RangeSet, GapsAreTheComplementBelowTheLimit) {
  RangeSet set({{10, 20}, {30, 40}});
  const auto gaps = set.gaps(50);
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_EQ(gaps[0], (ByteRange{0, 10}));
  EXPECT_EQ(gaps[1], (ByteRange{20, 30}));
  EXPECT_EQ(gaps[2], (ByteRange{40, 50}));
  EXPECT_TRUE(RangeSet({{0, 50}}).gaps(50).empty());
  EXPECT_EQ(RangeSet().gaps(7), (std::vector<ByteRange>{{0, 7}}));
}

TEST(RangeSet, FirstGapStartsAtOrAfterFrom) {
  RangeSet set({{0, 10}});
  EXPECT_EQ(set.first_gap(0, 100), (ByteRange{10, 100}));
  EXPECT_EQ(set.first_gap(50, 100), (ByteRange{50, 100}));
  EXPECT_FALSE(set.first_gap(0, 10));
}

}  // namespace
}  // namespace swarmcopy::engine
