// ProvisionalRoots' rules: the first root heard for a piece is kept, this machine's own wins
// over a peer's, a differing one is reported, a distrusted supplier's roots go and nothing it
// says is heard again, and a waiter is answered once a root is known.
#include "provisional_roots.h"

#include <gtest/gtest.h>

#include <string>

namespace swarmcopy::peer {
namespace {

ProvisionalRoots::Root root(char fill) {
  ProvisionalRoots::Root made;
  std::fill(made.begin(), made.end(), static_cast<std::uint8_t>(fill));
  return made;
}

TEST(ProvisionalRoots, TheFirstRootIsKeptAndADifferentOneReported) {
  ProvisionalRoots roots(4);
  EXPECT_FALSE(roots.learn(1, root('a'), "peer-a"));
  EXPECT_FALSE(roots.learn(1, root('a'), "peer-b"));  // the same: no conflict
  const auto conflict = roots.learn(1, root('b'), "peer-b");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->piece, 1u);
  EXPECT_EQ(conflict->kept_from, "peer-a");
  EXPECT_EQ(conflict->other_from, "peer-b");
  EXPECT_EQ(roots.root(1), root('a'));
  EXPECT_FALSE(roots.root(0));
  EXPECT_FALSE(roots.learn(9, root('a'), "peer-a"));  // out of range: nothing
  EXPECT_FALSE(roots.root(9));
}

TEST(ProvisionalRoots, ThisMachinesOwnRootWinsOverAPeersAndUnpassesThePiece) {
  ProvisionalRoots roots(2);
  roots.learn(0, root('a'), "peer-a");
  roots.passed(0);
  ASSERT_EQ(roots.passed_roots().size(), 1u);
  const auto conflict = roots.learn(0, root('o'), ProvisionalRoots::kThisMachine);
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->kept_from, "");
  EXPECT_EQ(conflict->other_from, "peer-a");
  EXPECT_EQ(roots.root(0), root('o'));
  EXPECT_TRUE(roots.passed_roots().empty());  // it passed against the peer's root
  // A peer contradicting this machine's own root is reported and changes nothing.
  const auto again = roots.learn(0, root('a'), "peer-a");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->kept_from, "");
  EXPECT_EQ(roots.root(0), root('o'));
}

TEST(ProvisionalRoots, ADistrustedSuppliersRootsGoAndItIsNotHeardAgain) {
  ProvisionalRoots roots(3);
  roots.learn(0, root('x'), "liar");
  roots.learn(1, root('x'), "liar");
  roots.learn(2, root('g'), "peer-a");
  roots.passed(0);
  const auto forgotten = roots.distrust("liar");
  EXPECT_EQ(forgotten, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_FALSE(roots.root(0));
  EXPECT_TRUE(roots.passed_roots().empty());
  EXPECT_TRUE(roots.distrusted("liar"));
  EXPECT_FALSE(roots.learn(0, root('x'), "liar"));
  EXPECT_FALSE(roots.root(0));
  EXPECT_EQ(roots.root(2), root('g'));
  EXPECT_TRUE(roots.distrust(ProvisionalRoots::kThisMachine).empty());  // never itself
  // Once this machine's own, a root a liar also gave stays.
  roots.learn(1, root('p'), "peer-b");
  roots.learn(1, root('p'), ProvisionalRoots::kThisMachine);
  EXPECT_TRUE(roots.distrust("peer-b").empty());
  EXPECT_EQ(roots.root(1), root('p'));
}

TEST(ProvisionalRoots, AWaiterIsAnsweredOnceTheRootIsKnownUnlessDropped) {
  ProvisionalRoots roots(2);
  int owner_a = 0, owner_b = 0;
  std::optional<ProvisionalRoots::Root> heard_a, heard_b;
  roots.when_known(0, &owner_a, [&](const auto& r) { heard_a = r; });
  roots.when_known(1, &owner_b, [&](const auto& r) { heard_b = r; });
  EXPECT_FALSE(heard_a);
  roots.drop_waiters(&owner_b);
  roots.learn(0, root('a'), "peer-a");
  roots.learn(1, root('b'), "peer-a");
  EXPECT_EQ(heard_a, root('a'));
  EXPECT_FALSE(heard_b);
  // Known already: answered at once.
  std::optional<ProvisionalRoots::Root> now;
  roots.when_known(1, &owner_a, [&](const auto& r) { now = r; });
  EXPECT_EQ(now, root('b'));
}

}  // namespace
}  // namespace swarmcopy::peer
