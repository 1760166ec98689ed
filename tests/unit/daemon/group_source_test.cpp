// group_id_source dns-domain: the domain taken from a host name or from resolv.conf's text.
#include "group_source.h"

#include <gtest/gtest.h>

namespace swarmcopy::daemon {
namespace {

TEST(GroupSource, TheDomainOfAHostNameIsWhatFollowsItsFirstDot) {
  EXPECT_EQ(domain_of_host_name("pc7.Floor2.Corp.example."), "floor2.corp.example");
  EXPECT_EQ(domain_of_host_name("pc7"), "");
  EXPECT_EQ(domain_of_host_name("pc7."), "");
}

TEST(GroupSource, ResolvConfNamesItByDomainElseByTheFirstSearchName) {
  EXPECT_EQ(domain_of_resolv_conf("nameserver 10.0.0.1\nsearch corp.example lab.example\n"),
            "corp.example");
  EXPECT_EQ(domain_of_resolv_conf("search a.example\ndomain Site7.Corp.Example.\n"),
            "site7.corp.example");
  EXPECT_EQ(domain_of_resolv_conf("# domain commented.example\nnameserver 1.1.1.1\n"), "");
  EXPECT_EQ(domain_of_resolv_conf("domain\n"), "");
}

TEST(GroupSource, ExplicitIsTheGroupAsWritten) {
  auto group = resolve_group_id("explicit", "site-hq");
  ASSERT_TRUE(group);
  EXPECT_EQ(*group, "site-hq");
  auto none = resolve_group_id("explicit", "");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace swarmcopy::daemon
