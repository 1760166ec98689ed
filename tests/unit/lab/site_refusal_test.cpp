// Which site options the lab refuses (site_refusal.h): group mode needs the tracker and the
// tracker group mode; group mode and --vpn are wired for the file workload's `swarmcopy get`
// only; --vpn needs peers that meet others, and no more than there are peers.
#include "site_refusal.h"

#include <gtest/gtest.h>

namespace swarmcopy::lab {
namespace {

RunSettings settings_of(const std::string& mode, bool tracker) {
  RunSettings settings;
  settings.mode = mode;
  settings.tracker = tracker;
  settings.peers = 4;
  settings.subnets = 2;
  return settings;
}

TEST(SiteRefusalTest, GroupModeWithItsTrackerAndLanWithoutOneRun) {
  EXPECT_EQ(site_refusal(settings_of("group", true)), "");
  EXPECT_EQ(site_refusal(settings_of("lan", false)), "");
  RunSettings vpn = settings_of("group", true);
  vpn.vpn = 4;
  EXPECT_EQ(site_refusal(vpn), "");
  vpn.mode = "lan";
  vpn.tracker = false;
  EXPECT_EQ(site_refusal(vpn), "");
}

TEST(SiteRefusalTest, GroupAndTrackerComeTogether) {
  EXPECT_NE(site_refusal(settings_of("group", false)).find("--mode group needs --tracker"),
            std::string::npos);
  for (const char* mode : {"lan", "http-only", "curl"}) {
    EXPECT_NE(site_refusal(settings_of(mode, true)).find("--tracker is for --mode group"),
              std::string::npos)
        << mode;
  }
}

TEST(SiteRefusalTest, WhatIsNotWiredIsRefusedByName) {
  for (const char* workload : {"apt", "oci"}) {
    RunSettings group = settings_of("group", true);
    group.workload = workload;
    EXPECT_NE(site_refusal(group).find("wired for --workload file"), std::string::npos);
    RunSettings vpn = settings_of("lan", false);
    vpn.workload = workload;
    vpn.vpn = 1;
    EXPECT_NE(site_refusal(vpn).find("--vpn is wired for --workload file"), std::string::npos);
  }
  RunSettings liars = settings_of("group", true);
  liars.liars = 1;
  EXPECT_NE(site_refusal(liars).find("--liar"), std::string::npos);
}

TEST(SiteRefusalTest, VpnPeersMustBePeersThatMeetOthers) {
  RunSettings curl = settings_of("curl", false);
  curl.vpn = 1;
  EXPECT_NE(site_refusal(curl).find("not curl"), std::string::npos) << site_refusal(curl);
  RunSettings too_many = settings_of("lan", false);
  too_many.vpn = 5;
  EXPECT_NE(site_refusal(too_many).find("more than the 4 peers"), std::string::npos);
}

}  // namespace
}  // namespace swarmcopy::lab
