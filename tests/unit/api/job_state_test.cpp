#include "swarmcopy/api/job_state.h"

#include <gtest/gtest.h>

#include "swarmcopy/api/notify_flags.h"

namespace swarmcopy::api {
namespace {

TEST(JobState, NamesAreTheContractsSpelling) {
  EXPECT_EQ(to_string(JobState::kTransientError), "TRANSIENT_ERROR");
  EXPECT_EQ(to_string(JobState::kAcknowledged), "ACKNOWLEDGED");
  for (int i = 0; i <= static_cast<int>(JobState::kCancelled); ++i) {
    const auto state = static_cast<JobState>(i);
    EXPECT_EQ(parse_job_state(to_string(state)), state);
  }
  EXPECT_FALSE(parse_job_state("queued"));
}

TEST(JobState, FinalAndActiveSetsMatchTheContract) {
  EXPECT_TRUE(is_final(JobState::kAcknowledged));
  EXPECT_TRUE(is_final(JobState::kCancelled));
  EXPECT_FALSE(is_final(JobState::kTransferred));
  EXPECT_TRUE(is_active(JobState::kTransientError));
  EXPECT_FALSE(is_active(JobState::kSuspended));
  EXPECT_FALSE(is_active(JobState::kError));
}

TEST(Priority, NamesAreLowerCase) {
  EXPECT_EQ(to_string(Priority::kForeground), "foreground");
  EXPECT_EQ(parse_priority("low"), Priority::kLow);
  EXPECT_FALSE(parse_priority("urgent"));
}

TEST(NotifyFlags, DisableSilencesEverything) {
  const auto flags = kDefaultNotifyFlags | NotifyFlags::kDisable;
  EXPECT_FALSE(wants(flags, NotifyFlags::kJobTransferred));
  EXPECT_TRUE(wants(kDefaultNotifyFlags, NotifyFlags::kJobError));
  EXPECT_FALSE(wants(kDefaultNotifyFlags, NotifyFlags::kJobModification));
}

}  // namespace
}  // namespace swarmcopy::api
