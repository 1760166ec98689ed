// The registry_upstream setting: which upstream a request goes to (containerd's ?ns=, or the
// first listed), and what is refused with a sentence.
#include <gtest/gtest.h>

#include "swarmcopy/registry/upstream.h"

namespace swarmcopy::registry {
namespace {

TEST(Upstream, NamesComeFromTheSettingOrTheHost) {
  auto upstreams = parse_upstreams(
      "http://127.0.0.1:5000, docker.io=http://mirror.corp/dockerhub/, http://[::1]:81");
  ASSERT_TRUE(upstreams) << upstreams.error();
  ASSERT_EQ(upstreams->size(), 3u);
  EXPECT_EQ((*upstreams)[0].name, "127.0.0.1:5000");
  EXPECT_EQ((*upstreams)[0].url(), "http://127.0.0.1:5000");
  EXPECT_EQ((*upstreams)[1].name, "docker.io");
  EXPECT_EQ((*upstreams)[1].host_header(), "mirror.corp");
  EXPECT_EQ((*upstreams)[1].base_path, "/dockerhub");
  EXPECT_EQ((*upstreams)[2].host, "::1");
  EXPECT_EQ((*upstreams)[2].url(), "http://[::1]:81");

  EXPECT_EQ(select_upstream(*upstreams, std::nullopt), &(*upstreams)[0]);
  EXPECT_EQ(select_upstream(*upstreams, std::string("docker.io")), &(*upstreams)[1]);
  EXPECT_EQ(select_upstream(*upstreams, std::string("127.0.0.1:5000")), &(*upstreams)[0]);
  EXPECT_EQ(select_upstream(*upstreams, std::string("ghcr.io")), nullptr);
}

TEST(Upstream, RefusesWhatItCannotServe) {
  for (const auto* bad :
       {"ftp://a", "a:5000", "https://registry-1.docker.io", "http://user:pw@a", "http://",
        "http://a:0", "http://a:70000", "http://a/b?c", "x y=http://a", "a=http://b, a=http://c"}) {
    EXPECT_FALSE(parse_upstreams(bad)) << bad;
  }
  auto empty = parse_upstreams("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace swarmcopy::registry
