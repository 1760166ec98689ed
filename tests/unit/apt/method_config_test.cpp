// The settings the method takes from apt's 601 Configuration, %XX-quoted as apt writes them.
#include "swarmcopy/apt/method_config.h"

#include <gtest/gtest.h>

namespace swarmcopy::apt {
namespace {

TEST(MethodConfigTest, DefaultsAreTheSystemDaemonAndOneMebibyte) {
  MethodConfig config;
  EXPECT_TRUE(config.socket.empty());
  EXPECT_EQ(config.min_peer_file_size, 1u << 20);
  EXPECT_EQ(config.sandbox_user, "_apt");
}

TEST(MethodConfigTest, PicksUpItsOwnAndAptsSettings) {
  Message message{601,
                  "Configuration",
                  {{"Config-Item", "APT::Architecture=amd64"},
                   {"Config-Item", "Acquire::swarmcopy::Socket=/tmp/a%20b/d.sock"},
                   {"Config-Item", "acquire::SwarmCopy::MinPeerFileSize=4096"},
                   {"Config-Item", "Acquire::swarmcopy::StallTimeout=5"},
                   {"Config-Item", "Acquire::swarmcopy::Timeout=3"},
                   {"Config-Item", "Acquire::http::Timeout=7"},
                   {"Config-Item", "APT::Sandbox::User=root"},
                   {"Config-Item", "Debug::Acquire::swarmcopy=true"},
                   {"Config-Item", "Acquire::https::CaInfo=/etc/ssl/my-ca.pem"},
                   {"Config-Item", "Acquire::https::Verify-Host=false"},
                   {"Config-Item", "no equals sign"}}};
  MethodConfig config;
  apply_configuration(message, config);
  EXPECT_EQ(config.socket, "/tmp/a b/d.sock");
  EXPECT_EQ(config.min_peer_file_size, 4096u);
  EXPECT_EQ(config.stall_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config.daemon_timeout, std::chrono::seconds(3));
  EXPECT_EQ(config.http_timeout, std::chrono::seconds(7));
  EXPECT_EQ(config.sandbox_user, "root");
  EXPECT_TRUE(config.debug);
  EXPECT_EQ(config.ca_info, "/etc/ssl/my-ca.pem");
  EXPECT_TRUE(config.verify_peer);
  EXPECT_FALSE(config.verify_host);
}

TEST(MethodConfigTest, BadNumbersKeepTheDefault) {
  Message message{601,
                  "Configuration",
                  {{"Config-Item", "Acquire::swarmcopy::MinPeerFileSize=lots"},
                   {"Config-Item", "Acquire::swarmcopy::StallTimeout=-3"},
                   {"Config-Item", "Acquire::swarmcopy::Daemon=false"}}};
  MethodConfig config;
  apply_configuration(message, config);
  EXPECT_EQ(config.min_peer_file_size, 1u << 20);
  EXPECT_EQ(config.stall_timeout, std::chrono::seconds(60));
  EXPECT_FALSE(config.use_daemon);
}

TEST(MethodConfigTest, ProxiesAreChosenAsAptsHttpMethodDoes) {
  Message message{601,
                  "Configuration",
                  {{"Config-Item", "Acquire::http::Proxy=http://proxy:3128"},
                   {"Config-Item", "Acquire::http::Proxy::Local.Mirror=DIRECT"},
                   {"Config-Item", "Acquire::http::Proxy::other=http://p2:8080"},
                   {"Config-Item", "Acquire::https::Proxy=http://sproxy:3128"}}};
  MethodConfig config;
  apply_configuration(message, config);
  EXPECT_EQ(proxy_for(config, "http://deb.debian.org/debian/x", std::nullopt), "http://proxy:3128");
  EXPECT_EQ(proxy_for(config, "http://local.mirror:8000/x", std::nullopt), "") << "DIRECT";
  EXPECT_EQ(proxy_for(config, "http://user@OTHER/x", std::nullopt), "http://p2:8080");
  EXPECT_EQ(proxy_for(config, "https://deb.debian.org/x", std::nullopt), "http://sproxy:3128");
  EXPECT_EQ(proxy_for(config, "http://deb.debian.org/x", std::string("http://auto:1")),
            "http://auto:1")
      << "the request's own Proxy field wins";
  EXPECT_EQ(proxy_for(MethodConfig{}, "http://deb.debian.org/x", std::nullopt), std::nullopt)
      << "none configured: libcurl's environment";
}

TEST(MethodConfigTest, DequoteLeavesBrokenEscapesAlone) {
  EXPECT_EQ(dequote("a%3ab"), "a:b");
  EXPECT_EQ(dequote("100%"), "100%");
  EXPECT_EQ(dequote("%zz%4"), "%zz%4");
}

}  // namespace
}  // namespace swarmcopy::apt
