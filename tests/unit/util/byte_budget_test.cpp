// ByteBudget: a shared download rate that takers wait on or are held to a share of.
#include "swarmcopy/util/byte_budget.h"

#include <gtest/gtest.h>

namespace swarmcopy::util {
namespace {

using namespace std::chrono_literals;
using Clock = ByteBudget::Clock;

constexpr std::uint64_t kRate = 1 << 20;  // 1 MiB/s: bursts of 256 KiB

TEST(ByteBudget, AnUncappedBudgetNeverMakesAnyoneWaitAndCountsWhatItIsCharged) {
  ByteBudget budget;
  const auto t0 = Clock::now();
  budget.take(1ull << 40, t0);
  EXPECT_EQ(budget.wait(t0), Clock::duration::zero());
  EXPECT_EQ(budget.share(), 0u);
  EXPECT_EQ(budget.taken(), 1ull << 40);
}

TEST(ByteBudget, BytesBeyondTheBurstAreADebtPaidOffAtTheRate) {
  const auto t0 = Clock::now();
  ByteBudget budget(kRate);
  budget.take(kRate / 4, t0);  // the burst: nothing owed
  EXPECT_EQ(budget.wait(t0), Clock::duration::zero());
  budget.take(kRate, t0);  // one second's worth beyond it
  const auto wait = budget.wait(t0);
  EXPECT_GT(wait, 990ms);
  EXPECT_LT(wait, 1010ms);
  EXPECT_LT(budget.wait(t0 + 500ms), 510ms);
  EXPECT_EQ(budget.wait(t0 + 1s + 10ms), Clock::duration::zero());
}

TEST(ByteBudget, AnIdleBudgetSavesNoMoreThanOneBurst) {
  const auto t0 = Clock::now();
  ByteBudget budget(kRate);
  budget.take(0, t0);
  // An hour idle does not let an hour's worth through at once.
  budget.take(kRate, t0 + 1h);
  EXPECT_GT(budget.wait(t0 + 1h), 700ms);
}

TEST(ByteBudget, ANewRateAppliesFromThatMomentAndLiftingTheCapForgivesTheDebt) {
  const auto t0 = Clock::now();
  ByteBudget budget(kRate);
  budget.take(kRate / 4 + 2 * kRate, t0);  // two seconds owed at 1 MiB/s
  budget.set_rate(2 * kRate, t0);          // one second at 2 MiB/s
  EXPECT_GT(budget.wait(t0), 990ms);
  EXPECT_LT(budget.wait(t0), 1010ms);
  budget.set_rate(0, t0 + 100ms);
  EXPECT_EQ(budget.wait(t0 + 100ms), Clock::duration::zero());
  EXPECT_EQ(budget.share(), 0u);
}

TEST(ByteBudget, AChildChargesItsParentAndWaitsOnBoth) {
  const auto t0 = Clock::now();
  auto cls = std::make_shared<ByteBudget>(kRate);
  ByteBudget job(0, cls);  // no cap of its own
  ByteBudget other(0, cls);
  job.take(kRate / 4 + kRate, t0);
  EXPECT_EQ(cls->taken(), kRate / 4 + kRate);
  // The class is in debt: every job in it waits, also one that took nothing.
  EXPECT_GT(other.wait(t0), 990ms);
  EXPECT_GT(job.wait(t0), 990ms);
  // A job cap tighter than its class.
  ByteBudget slow(kRate / 8, cls);
  slow.take(kRate / 4, t0 + 2s);  // its burst is 16 KiB: most of this is owed to it alone
  EXPECT_GT(slow.wait(t0 + 2s), 1500ms);
}

TEST(ByteBudget, TheShareDividesTheRateAmongItsUsersAndHonoursTheParent) {
  auto cls = std::make_shared<ByteBudget>(kRate);
  EXPECT_EQ(cls->share(), kRate);
  auto job_a = std::make_shared<ByteBudget>(0, cls);
  auto job_b = std::make_shared<ByteBudget>(kRate / 8, cls);
  {
    ByteBudget::User a(job_a);
    ByteBudget::User b(job_b);
    EXPECT_EQ(cls->share(), kRate / 2);
    EXPECT_EQ(job_a->share(), kRate / 2);  // its class's share: no cap of its own
    EXPECT_EQ(job_b->share(), kRate / 8);  // its own cap is tighter
    ByteBudget::User moved(std::move(a));
    EXPECT_EQ(cls->share(), kRate / 2);
  }
  EXPECT_EQ(cls->share(), kRate);
}

}  // namespace
}  // namespace swarmcopy::util
