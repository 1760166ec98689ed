// Which options the lab's workloads refuse: the apt and oci workloads download through each
// peer's swarmcopyd, so http-only and the options that steer one `swarmcopy get` are refused
// with a sentence naming the option; the file workload takes everything.
#include "workload_refusal.h"

#include <gtest/gtest.h>

namespace swarmcopy::lab {
namespace {

RunSettings settings_of(const std::string& workload, const std::string& mode) {
  RunSettings settings;
  settings.workload = workload;
  settings.mode = mode;
  settings.peers = 4;
  return settings;
}

TEST(WorkloadRefusalTest, TheFileWorkloadTakesEveryModeAndOption) {
  for (const char* mode : {"lan", "http-only", "curl"}) {
    RunSettings settings = settings_of("file", mode);
    settings.churn = 1;
    settings.priority = "low";
    EXPECT_EQ(workload_refusal(settings), "") << mode;
  }
}

TEST(WorkloadRefusalTest, AptAndOciRunInLanAndCurlModeButNotHttpOnly) {
  for (const char* workload : {"apt", "oci"}) {
    EXPECT_EQ(workload_refusal(settings_of(workload, "lan")), "") << workload;
    EXPECT_EQ(workload_refusal(settings_of(workload, "curl")), "") << workload;
    const auto refused = workload_refusal(settings_of(workload, "http-only"));
    EXPECT_NE(refused.find("not http-only"), std::string::npos) << refused;
  }
}

TEST(WorkloadRefusalTest, OptionsThatSteerSwarmcopyGetAreRefusedByName) {
  RunSettings churn = settings_of("apt", "lan");
  churn.churn = 1;
  EXPECT_NE(workload_refusal(churn).find("--churn"), std::string::npos);
  EXPECT_NE(workload_refusal(churn).find("apt-get"), std::string::npos);
  RunSettings priority = settings_of("oci", "lan");
  priority.priority = "normal";
  EXPECT_NE(workload_refusal(priority).find("--priority"), std::string::npos);
  RunSettings liar = settings_of("oci", "lan");
  liar.liars = 1;
  liar.publish = false;
  EXPECT_NE(workload_refusal(liar).find("--liar"), std::string::npos);
}

TEST(WorkloadRefusalTest, UnpublishedSeededAndStaggeredRunsAreTaken) {
  RunSettings settings = settings_of("apt", "lan");
  settings.publish = false;  // a plain Debian mirror
  settings.seeded = 1;
  settings.stagger_seconds = 2;
  settings.rounds = 2;
  EXPECT_EQ(workload_refusal(settings), "");
}

}  // namespace
}  // namespace swarmcopy::lab
