// Group mode's settings: which groups and tracker URLs are taken, and what a bad one is told.
#include "swarmcopy/api/group.h"

#include <gtest/gtest.h>

#include "swarmcopy/api/download_mode.h"

namespace swarmcopy::api {
namespace {

TEST(GroupSettings, GroupIsPrintableAsciiWithoutWhitespace) {
  const std::vector<std::string> goods = {"site-hq", "corp.example.org", "AD_Site/7",
                                          std::string(255, 'g')};
  for (const auto& good : goods) {
    EXPECT_TRUE(check_group_id(good)) << good;
  }
  const std::vector<std::string> bads = {"", "two words", "tab\there", std::string(256, 'g'),
                                         "caf\xc3\xa9"};
  for (const auto& bad : bads) {
    auto checked = check_group_id(bad);
    ASSERT_FALSE(checked) << bad;
    EXPECT_EQ(checked.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(GroupSettings, TrackersAreHttpHttpsOrUdpWithAHost) {
  for (const char* good : {"http://tracker.corp:6969/announce", "https://t.example/announce",
                           "udp://10.0.0.1:6969", "UDP://[::1]:6969/announce"}) {
    EXPECT_TRUE(check_tracker_url(good)) << good;
  }
  for (const char* bad : {"", "tracker.corp:6969", "ftp://t/announce", "http:///announce",
                          "http://user:pw@t/announce", "http://t/ann ounce"}) {
    EXPECT_FALSE(check_tracker_url(bad)) << bad;
  }
  auto listed = parse_tracker_list(" http://a/announce, udp://b:6969  https://c/announce ");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(*listed,
            (std::vector<std::string>{"http://a/announce", "udp://b:6969", "https://c/announce"}));
  auto empty = parse_tracker_list("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto bad = parse_tracker_list("http://a/announce ftp://b");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("ftp"), std::string::npos) << bad.error().message;
}

TEST(GroupSettings, GroupIsADownloadModeByName) {
  EXPECT_EQ(parse_download_mode("group"), DownloadMode::kGroup);
  EXPECT_EQ(to_string(DownloadMode::kGroup), "group");
}

}  // namespace
}  // namespace swarmcopy::api
