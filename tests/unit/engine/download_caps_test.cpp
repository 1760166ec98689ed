// The download caps: which limit applies at which hour, a percentage of the measured throughput,
// the governor's budgets and measurement, and the month's upload count.
#include "download_caps.h"

#include <gtest/gtest.h>

#include "bandwidth_governor.h"
#include "upload_month.h"

namespace swarmcopy::engine {
namespace {

using namespace std::chrono_literals;

DownloadCaps office_caps() {
  DownloadCaps caps;
  caps.foreground = {4'000'000, 0};
  caps.background = {0, 50};
  caps.business_begin_hour = 8;
  caps.business_end_hour = 17;
  caps.background_business = DownloadLimit{0, 10};
  caps.background_off_hours = DownloadLimit{};  // no cap at night
  return caps;
}

TEST(DownloadCaps, BusinessHoursAreHalfOpenAndMayWrapPastMidnight) {
  DownloadCaps caps;
  EXPECT_FALSE(in_business_hours(caps, 10));  // none set
  caps.business_begin_hour = 8;
  caps.business_end_hour = 17;
  EXPECT_FALSE(in_business_hours(caps, 7));
  EXPECT_TRUE(in_business_hours(caps, 8));
  EXPECT_TRUE(in_business_hours(caps, 16));
  EXPECT_FALSE(in_business_hours(caps, 17));
  caps.business_begin_hour = 22;
  caps.business_end_hour = 6;
  EXPECT_TRUE(in_business_hours(caps, 23));
  EXPECT_TRUE(in_business_hours(caps, 0));
  EXPECT_TRUE(in_business_hours(caps, 5));
  EXPECT_FALSE(in_business_hours(caps, 6));
  EXPECT_FALSE(in_business_hours(caps, 12));
}

TEST(DownloadCaps, TheHoursVariantReplacesThePlainLimitAndAnUnsetOneFallsBack) {
  const auto caps = office_caps();
  const std::uint64_t measured = 10'000'000;
  // Foreground has no variant: its plain cap at any hour.
  EXPECT_EQ(effective_cap(caps, true, 10, measured).bytes_per_second, 4'000'000u);
  EXPECT_EQ(effective_cap(caps, true, 10, measured).rule,
            "foreground_download_limit = 4000000 bytes/s");
  EXPECT_EQ(effective_cap(caps, true, 3, measured).bytes_per_second, 4'000'000u);
  // Background: 10 % in business hours, nothing at night.
  const auto day = effective_cap(caps, false, 10, measured);
  EXPECT_EQ(day.bytes_per_second, 1'000'000u);
  EXPECT_EQ(day.rule,
            "background_download_limit_business_hours = 10% of the 10000000 bytes/s measured: "
            "1000000 bytes/s");
  EXPECT_EQ(effective_cap(caps, false, 3, measured), EffectiveCap{});
  // Without business hours the variants are ignored: the plain 50 %.
  auto plain = caps;
  plain.business_begin_hour = plain.business_end_hour = 0;
  EXPECT_EQ(effective_cap(plain, false, 10, measured).bytes_per_second, 5'000'000u);
}

TEST(DownloadCaps, APercentageCapsNothingUntilTheThroughputIsMeasured) {
  DownloadCaps caps;
  caps.background = {0, 50};
  const auto cap = effective_cap(caps, false, 12, 0);
  EXPECT_EQ(cap.bytes_per_second, 0u);
  EXPECT_NE(cap.rule.find("not measured yet"), std::string::npos) << cap.rule;
}

TEST(BandwidthGovernor, MeasuresTheBestSecondAfterAFewAndSetsThePercentageFromIt) {
  DownloadCaps caps;
  caps.background = {0, 50};
  const auto t0 = BandwidthGovernor::Clock::now();
  BandwidthGovernor governor(caps, 0, t0, 12);
  const auto background = governor.budget_for(false, 0);
  const auto foreground = governor.budget_for(true, 0);
  EXPECT_EQ(background->rate(), 0u);
  // Three seconds of downloads, the best at 8 MB/s (either class counts).
  foreground->take(4'000'000, t0 + 500ms);
  governor.tick(t0 + 1s, 12);
  background->take(8'000'000, t0 + 1500ms);
  governor.tick(t0 + 2s, 12);
  EXPECT_EQ(governor.measured(), 0u);  // two seconds: not yet
  EXPECT_EQ(background->rate(), 0u);
  background->take(2'000'000, t0 + 2500ms);
  governor.tick(t0 + 3s, 12);
  EXPECT_EQ(governor.measured(), 8'000'000u);
  EXPECT_EQ(background->rate(), 4'000'000u);
  EXPECT_EQ(foreground->rate(), 0u);
  // A slower second later does not lower it.
  background->take(1'000, t0 + 3500ms);
  governor.tick(t0 + 4s, 12);
  EXPECT_EQ(governor.measured(), 8'000'000u);
}

TEST(BandwidthGovernor, ANewPolicyAppliesToTheBudgetsJobsAlreadyHold) {
  DownloadCaps caps;
  caps.foreground = {2'000'000, 0};
  const auto t0 = BandwidthGovernor::Clock::now();
  BandwidthGovernor governor(caps, 0, t0, 12);
  const auto job = governor.budget_for(true, 500'000);  // a job's own cap inside its class's
  ASSERT_TRUE(job->parent());
  EXPECT_EQ(job->rate(), 500'000u);
  EXPECT_EQ(job->parent()->rate(), 2'000'000u);
  caps.foreground = {};
  caps.background = {1'000'000, 0};
  governor.apply(caps, t0 + 1s, 12);
  EXPECT_EQ(job->parent()->rate(), 0u);
  EXPECT_EQ(governor.budget_for(false, 0)->rate(), 1'000'000u);
  EXPECT_EQ(governor.cap(false).rule, "background_download_limit = 1000000 bytes/s");
  EXPECT_TRUE(governor.cap(true).rule.empty());
}

TEST(BandwidthGovernor, ThroughputMeasuredBeforeARestartCountsAtOnce) {
  DownloadCaps caps;
  caps.foreground = {0, 25};
  BandwidthGovernor governor(caps, 12'000'000, BandwidthGovernor::Clock::now(), 12);
  EXPECT_EQ(governor.budget_for(true, 0)->rate(), 3'000'000u);
}

TEST(UploadMonth, CountsWithinAMonthAndStartsAgainInTheNext) {
  UploadMonth month;
  EXPECT_EQ(month.left(0), std::nullopt);  // no cap
  month.count(700, 202612);
  month.count(200, 202612);
  EXPECT_EQ(month.left(1000), 100u);
  month.count(500, 202612);
  EXPECT_EQ(month.left(1000), 0u);  // over: nothing left, never negative
  month.count(10, 202701);
  EXPECT_EQ(month.bytes, 10u);
  EXPECT_EQ(month.left(1000), 990u);
}

}  // namespace
}  // namespace swarmcopy::engine
