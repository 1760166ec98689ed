#include "url.h"

#include <gtest/gtest.h>

namespace swarmcopy::engine {
namespace {

TEST(CheckUrl, AcceptsHttpAndHttps) {
  EXPECT_EQ(check_url("http://example.test/a"), api::Protocol::kHttp);
  EXPECT_EQ(check_url("HTTPS://example.test:8443/a?b=c"), api::Protocol::kHttps);
  EXPECT_EQ(check_url("http://user:pw@[::1]:80/"), api::Protocol::kHttp);
}

TEST(CheckUrl, RejectsOtherSchemesWithAClearMessage) {
  const auto result = check_url("ftp://example.test/file");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_NE(result.error().message.find("unsupported scheme 'ftp'"), std::string::npos);
  EXPECT_EQ(result.error().file, "ftp://example.test/file");
}

TEST(CheckUrl, RejectsMissingHostSchemeAndSpaces) {
  EXPECT_FALSE(check_url("http:///path"));
  EXPECT_FALSE(check_url("http://:80/path"));
  EXPECT_FALSE(check_url("example.test/file"));
  EXPECT_FALSE(check_url("http://exa mple.test/"));
  EXPECT_FALSE(check_url(""));
  EXPECT_FALSE(check_url("file:///etc/passwd"));
}

}  // namespace
}  // namespace swarmcopy::engine
