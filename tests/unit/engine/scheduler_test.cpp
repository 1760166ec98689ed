#include "scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace swarmcopy::engine {
namespace {

using api::Priority;
using std::chrono::milliseconds;
using Time = std::chrono::steady_clock::time_point;

const Time kNow = Time(std::chrono::hours(1000));
constexpr milliseconds kSlice{1000};

struct Jobs {
  std::vector<SchedulerEntry> entries;
  api::JobId add(Priority priority, bool running, std::uint64_t seq, Time since = kNow,
                 std::uint32_t owner = 1000) {
    const auto id = api::JobId::generate();
    entries.push_back(SchedulerEntry{id, priority, running, seq, owner, since});
    return id;
  }
};

bool contains(const std::vector<api::JobId>& ids, const api::JobId& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(Scheduler, ForegroundStartsEvenWhenEverySlotIsTaken) {
  Jobs jobs;
  jobs.add(Priority::kNormal, true, 1);
  const auto fg = jobs.add(Priority::kForeground, false, 2);
  const auto d = plan_schedule(jobs.entries, 1, kSlice, kNow);
  EXPECT_EQ(d.start, std::vector<api::JobId>{fg});
  EXPECT_TRUE(d.preempt.empty());
}

TEST(Scheduler, EachUserRunsAtMostSlotsForegroundJobs) {
  Jobs jobs;
  const auto running = jobs.add(Priority::kForeground, true, 1, kNow, 1000);
  const auto second = jobs.add(Priority::kForeground, false, 3, kNow, 1000);
  const auto first = jobs.add(Priority::kForeground, false, 2, kNow, 1000);
  const auto third = jobs.add(Priority::kForeground, false, 4, kNow, 1000);
  const auto other_user = jobs.add(Priority::kForeground, false, 5, kNow, 1001);
  const auto d = plan_schedule(jobs.entries, 3, kSlice, kNow);
  // uid 1000 has one running: two more start, in arrival order; the third waits.
  EXPECT_EQ(d.start, (std::vector<api::JobId>{first, second, other_user}));
  EXPECT_FALSE(contains(d.start, third));
  EXPECT_FALSE(contains(d.start, running));
  EXPECT_TRUE(d.preempt.empty());
}

TEST(Scheduler, WithoutBackgroundSlotsEachUserStillRunsOneForegroundJob) {
  Jobs jobs;
  const auto first = jobs.add(Priority::kForeground, false, 1, kNow, 1000);
  const auto second = jobs.add(Priority::kForeground, false, 2, kNow, 1000);
  const auto d = plan_schedule(jobs.entries, 0, kSlice, kNow);
  EXPECT_EQ(d.start, std::vector<api::JobId>{first});
  EXPECT_FALSE(contains(d.start, second));
}

TEST(Scheduler, FillsFreeSlotsInPriorityThenArrivalOrder) {
  Jobs jobs;
  const auto low = jobs.add(Priority::kLow, false, 1);
  const auto normal_late = jobs.add(Priority::kNormal, false, 3);
  const auto normal_early = jobs.add(Priority::kNormal, false, 2);
  const auto high = jobs.add(Priority::kHigh, false, 4);
  const auto d = plan_schedule(jobs.entries, 2, kSlice, kNow);
  EXPECT_EQ(d.start, (std::vector<api::JobId>{high, normal_early}));
  EXPECT_FALSE(contains(d.start, low));
  EXPECT_FALSE(contains(d.start, normal_late));
}

TEST(Scheduler, HigherPriorityPreemptsLower) {
  Jobs jobs;
  const auto low = jobs.add(Priority::kLow, true, 1, kNow - milliseconds(10));
  const auto high = jobs.add(Priority::kHigh, false, 2);
  const auto d = plan_schedule(jobs.entries, 1, kSlice, kNow);
  EXPECT_EQ(d.start, std::vector<api::JobId>{high});
  EXPECT_EQ(d.preempt, std::vector<api::JobId>{low});
}

TEST(Scheduler, LowerPriorityNeverPreemptsHigher) {
  Jobs jobs;
  jobs.add(Priority::kHigh, true, 1, kNow - std::chrono::hours(1));
  jobs.add(Priority::kLow, false, 2);
  const auto d = plan_schedule(jobs.entries, 1, kSlice, kNow);
  EXPECT_TRUE(d.start.empty());
  EXPECT_TRUE(d.preempt.empty());
  EXPECT_FALSE(d.next_review);  // nobody of the running job's priority waits
}

TEST(Scheduler, SamePriorityTakesTurnsAfterATimeSlice) {
  Jobs jobs;
  const auto running = jobs.add(Priority::kNormal, true, 1, kNow - milliseconds(400));
  const auto waiting = jobs.add(Priority::kNormal, false, 2);
  auto d = plan_schedule(jobs.entries, 1, kSlice, kNow);
  EXPECT_TRUE(d.start.empty());
  ASSERT_TRUE(d.next_review);
  EXPECT_EQ(*d.next_review, kNow + milliseconds(600));

  d = plan_schedule(jobs.entries, 1, kSlice, kNow + milliseconds(600));
  EXPECT_EQ(d.start, std::vector<api::JobId>{waiting});
  EXPECT_EQ(d.preempt, std::vector<api::JobId>{running});
}

TEST(Scheduler, ExpiredSliceKeepsRunningWhenNobodyWaits) {
  Jobs jobs;
  jobs.add(Priority::kNormal, true, 1, kNow - std::chrono::hours(2));
  const auto d = plan_schedule(jobs.entries, 1, kSlice, kNow);
  EXPECT_TRUE(d.start.empty());
  EXPECT_TRUE(d.preempt.empty());
}

TEST(Scheduler, ForegroundJobsDoNotTakeBackgroundSlots) {
  Jobs jobs;
  jobs.add(Priority::kForeground, true, 1);
  const auto normal = jobs.add(Priority::kNormal, false, 2);
  const auto d = plan_schedule(jobs.entries, 1, kSlice, kNow);
  EXPECT_EQ(d.start, std::vector<api::JobId>{normal});
}

}  // namespace
}  // namespace swarmcopy::engine
