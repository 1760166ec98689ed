#include "proxy_route.h"

#include <gtest/gtest.h>

namespace swarmcopy::engine {
namespace {

using api::ProxySettings;
using api::ProxyUsage;

TEST(ProxyRoute, SystemWithoutAnEngineProxyLeavesItToTheEnvironment) {
  EXPECT_EQ(proxy_route(ProxySettings{}, "", {}), ProxyRoute{});
  // The engine's no_proxy alone still replaces the environment's.
  EXPECT_EQ(proxy_route(ProxySettings{}, "", {"a", ".b"}), (ProxyRoute{std::nullopt, "a,.b"}));
}

TEST(ProxyRoute, SystemUsesTheEngineProxyAndIgnoresTheEnvironmentsNoProxy) {
  EXPECT_EQ(proxy_route(ProxySettings{}, "http://p:3128", {}), (ProxyRoute{"http://p:3128", ""}));
  EXPECT_EQ(proxy_route(ProxySettings{}, "http://p:3128", {"localhost", "10.0.0.0/8"}),
            (ProxyRoute{"http://p:3128", "localhost,10.0.0.0/8"}));
}

TEST(ProxyRoute, NoneIsDirectWhateverTheEngineOrEnvironmentSay) {
  EXPECT_EQ(proxy_route(ProxySettings{ProxyUsage::kNone, "", {}}, "http://p:3128", {"x"}),
            (ProxyRoute{"", "*"}));
}

TEST(ProxyRoute, OverrideUsesTheJobsProxyAndBypassListOnly) {
  const ProxySettings job{ProxyUsage::kOverride, "http://u:pw@job:8080", {"127.0.0.1", ".lan"}};
  EXPECT_EQ(proxy_route(job, "http://engine:3128", {"x"}),
            (ProxyRoute{"http://u:pw@job:8080", "127.0.0.1,.lan"}));
  // No bypass list: "" so that the environment's no_proxy does not apply either.
  EXPECT_EQ(proxy_route(ProxySettings{ProxyUsage::kOverride, "http://job:8080", {}}, "", {}),
            (ProxyRoute{"http://job:8080", ""}));
}

}  // namespace
}  // namespace swarmcopy::engine
