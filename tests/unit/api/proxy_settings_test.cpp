#include "swarmcopy/api/proxy_settings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "swarmcopy/api/credentials.h"

namespace swarmcopy::api {
namespace {

ProxySettings override_with(std::string url, std::vector<std::string> bypass = {}) {
  return ProxySettings{ProxyUsage::kOverride, std::move(url), std::move(bypass)};
}

TEST(ProxySettings, UsageNamesRoundTrip) {
  for (const auto usage : {ProxyUsage::kSystem, ProxyUsage::kNone, ProxyUsage::kOverride}) {
    EXPECT_EQ(parse_proxy_usage(to_string(usage)), usage);
  }
  EXPECT_EQ(to_string(ProxyUsage::kSystem), "system");
  EXPECT_EQ(to_string(ProxyUsage::kOverride), "override");
  EXPECT_FALSE(parse_proxy_usage("preconfig"));
  EXPECT_EQ(ProxySettings{}.usage, ProxyUsage::kSystem);  // BITS' default
}

TEST(ProxySettings, AcceptsOneProxyUrlOfTheSupportedSchemes) {
  for (const char* url :
       {"http://proxy:3128", "https://proxy.example.org", "socks5://10.0.0.1:1080",
        "socks5h://proxy:1080", "HTTP://user:pa%40ss@proxy:3128/", "http://[::1]:3128"}) {
    EXPECT_TRUE(check_proxy_url(url)) << url;
    EXPECT_TRUE(check_proxy_settings(override_with(url))) << url;
  }
}

TEST(ProxySettings, RefusesListsBadSchemesAndWhitespaceWithClearErrors) {
  const auto message = [](std::string_view url) {
    auto checked = check_proxy_url(url);
    EXPECT_FALSE(checked) << url;
    EXPECT_EQ(checked ? ErrorKind::kInternal : checked.error().kind, ErrorKind::kInvalidArgument);
    return checked ? std::string() : checked.error().message;
  };
  EXPECT_NE(message("http://a:3128,http://b:3128").find("one proxy only"), std::string::npos);
  EXPECT_NE(message("http://a:3128;http://b:3128").find("one proxy only"), std::string::npos);
  EXPECT_NE(message("http://a:3128 http://b:3128").find("whitespace"), std::string::npos);
  EXPECT_NE(message("ftp://proxy:21").find("only http, https, socks5 and socks5h"),
            std::string::npos);
  EXPECT_NE(message("socks4://proxy:1080").find("socks4"), std::string::npos);
  EXPECT_NE(message("proxy:3128").find("no scheme"), std::string::npos);
  EXPECT_NE(message("http://").find("no host"), std::string::npos);
  EXPECT_NE(message("http://user:pw@").find("no host"), std::string::npos);
  EXPECT_NE(message("http://proxy:3128/path").find("path"), std::string::npos);
  EXPECT_NE(message("").find("empty"), std::string::npos);
  EXPECT_FALSE(check_proxy_url("http://proxy\r\n:3128"));
  EXPECT_FALSE(check_proxy_url("http://" + std::string(2100, 'a')));
}

TEST(ProxySettings, ErrorsNeverShowTheProxyPassword) {
  auto checked = check_proxy_url("ftp://alice:hunter2@proxy:21");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().message.find("hunter2"), std::string::npos) << checked.error().message;
  EXPECT_NE(checked.error().message.find("alice:***@proxy"), std::string::npos);
}

TEST(ProxySettings, BypassEntriesAreHostsDomainsAddressesOrRanges) {
  for (const char* host : {"localhost", ".example.org", "example.org", "127.0.0.1", "::1", "[::1]",
                           "10.0.0.0/8", "*", "my_host-1"}) {
    EXPECT_TRUE(check_proxy_bypass(host)) << host;
  }
  for (const char* host : {"", "a b", "a,b", "a;b", "*.example.org", "host\n"}) {
    EXPECT_FALSE(check_proxy_bypass(host)) << host;
  }
}

TEST(ProxySettings, OnlyOverrideTakesAProxyAndABypassList) {
  EXPECT_TRUE(check_proxy_settings(ProxySettings{}));
  EXPECT_TRUE(check_proxy_settings(ProxySettings{ProxyUsage::kNone, "", {}}));
  EXPECT_TRUE(check_proxy_settings(override_with("http://p:3128", {"127.0.0.1", ".lan"})));
  EXPECT_FALSE(check_proxy_settings(ProxySettings{ProxyUsage::kNone, "http://p:3128", {}}));
  EXPECT_FALSE(check_proxy_settings(ProxySettings{ProxyUsage::kSystem, "", {"127.0.0.1"}}));
  EXPECT_FALSE(check_proxy_settings(override_with("")));
  EXPECT_FALSE(check_proxy_settings(override_with("http://p:3128", {"bad host"})));
  EXPECT_FALSE(
      check_proxy_settings(override_with("http://p:3128", std::vector<std::string>(257, "h"))));
}

TEST(ProxySettings, CredentialsAreMaskedWhereverTheSettingIsShown) {
  EXPECT_EQ(mask_proxy_url("http://user:pass@proxy:3128"), "http://user:***@proxy:3128");
  EXPECT_EQ(mask_proxy_url("socks5h://token@proxy:1080"), "socks5h://***@proxy:1080");
  EXPECT_EQ(mask_proxy_url("http://proxy:3128"), "http://proxy:3128");
  EXPECT_EQ(mask_proxy_url("http://u:p:q@proxy"), "http://u:***@proxy");
  EXPECT_EQ(mask_proxy_url(""), "");
  EXPECT_EQ(mask_proxy_url(mask_proxy_url("http://u:secret@p:1")), "http://u:***@p:1");
  EXPECT_EQ(describe(override_with("http://u:secret@p:1")), "http://u:***@p:1");
  EXPECT_EQ(describe(ProxySettings{}), "system");
  EXPECT_EQ(describe(ProxySettings{ProxyUsage::kNone, "", {}}), "none");
}

}  // namespace
}  // namespace swarmcopy::api
