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

TEST(Upstream, HttpsUpstreamsDefaultToPort443) {
  auto upstreams = parse_upstreams(
      "https://registry-1.docker.io, ghcr.io=https://ghcr.io:443/, https://10.0.0.5:5443/v");
  ASSERT_TRUE(upstreams) << upstreams.error();
  ASSERT_EQ(upstreams->size(), 3u);
  EXPECT_TRUE((*upstreams)[0].tls);
  EXPECT_EQ((*upstreams)[0].port, 443);
  EXPECT_EQ((*upstreams)[0].name, "registry-1.docker.io");
  EXPECT_EQ((*upstreams)[0].host_header(), "registry-1.docker.io");
  EXPECT_EQ((*upstreams)[0].url(), "https://registry-1.docker.io");
  EXPECT_EQ((*upstreams)[1].url(), "https://ghcr.io");
  EXPECT_EQ((*upstreams)[2].name, "10.0.0.5:5443");
  EXPECT_EQ((*upstreams)[2].url(), "https://10.0.0.5:5443/v");
  // Port 80 is named for https, 443 for http: neither is the scheme's default.
  auto odd = parse_upstreams("https://a:80, http://b:443");
  ASSERT_TRUE(odd) << odd.error();
  EXPECT_EQ((*odd)[0].url(), "https://a:80");
  EXPECT_EQ((*odd)[1].url(), "http://b:443");
}

TEST(Upstream, RefusesWhatItCannotServe) {
  for (const auto* bad :
       {"ftp://a", "a:5000", "https://user:pw@a", "http://user:pw@a", "http://", "https://",
        "http://a:0", "http://a:70000", "http://a/b?c", "x y=http://a", "a=http://b, a=http://c"}) {
    EXPECT_FALSE(parse_upstreams(bad)) << bad;
  }
  auto empty = parse_upstreams("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace swarmcopy::registry
