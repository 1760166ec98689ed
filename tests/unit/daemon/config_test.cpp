// swarmcopyd's config: every key says what it does (the help of its option), and the user
// daemon's state directory is the one `swarmcopy get` would open (util::user_state_dir).
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config.h"
#include "config_help.h"
#include "swarmcopy/util/user_state_dir.h"

namespace swarmcopy::daemon {
namespace {

TEST(ConfigHelp, EveryKeySaysWhatItDoes) {
  for (const auto& key : config_keys()) {
    const auto help = config_key_help(key);
    EXPECT_GE(help.size(), 20u) << key << ": " << help;
    EXPECT_EQ(help.find("config key"), std::string_view::npos) << key << ": " << help;
    EXPECT_EQ(help.starts_with("[reload]"), reloadable(key)) << key << ": " << help;
  }
  EXPECT_TRUE(config_key_help("no_such_key").empty());
}

TEST(Config, ProxyAndNoProxyAreCheckedAndThePasswordIsNeverShown) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_TRUE(config.proxy.empty());  // the environment's, as before the key existed
  ASSERT_TRUE(apply_values({{"proxy", "http://svc:hunter2@proxy.corp:3128"},
                            {"no_proxy", "localhost, .corp.example ,10.0.0.0/8"}},
                           config));
  EXPECT_EQ(config.proxy, "http://svc:hunter2@proxy.corp:3128");
  EXPECT_EQ(config.no_proxy,
            (std::vector<std::string>{"localhost", ".corp.example", "10.0.0.0/8"}));
  // What a reload logs.
  EXPECT_EQ(value_of(config, "proxy"), "http://svc:***@proxy.corp:3128");
  EXPECT_EQ(value_of(config, "no_proxy"), "localhost,.corp.example,10.0.0.0/8");
  ASSERT_TRUE(apply_values({{"proxy", ""}}, config));
  EXPECT_TRUE(config.proxy.empty());

  for (const char* bad : {"proxy.corp:3128", "ftp://proxy:21", "http://a:1,http://b:2"}) {
    auto applied = apply_values({{"proxy", bad}}, config);
    ASSERT_FALSE(applied) << bad;
    EXPECT_TRUE(applied.error().message.starts_with("proxy: ")) << applied.error().message;
  }
  auto leaked = apply_values({{"proxy", "ftp://svc:hunter2@proxy:21"}}, config);
  ASSERT_FALSE(leaked);
  EXPECT_EQ(leaked.error().message.find("hunter2"), std::string::npos) << leaked.error().message;
  auto bad_host = apply_values({{"no_proxy", "a b"}}, config);
  ASSERT_FALSE(bad_host);
  EXPECT_TRUE(bad_host.error().message.starts_with("no_proxy: ")) << bad_host.error().message;
}

TEST(ConfigTest, DownloadCapsAreARateOrAPercentageWithBusinessHourVariants) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_EQ(config.download_caps, engine::DownloadCaps{});  // none by default
  EXPECT_EQ(config.monthly_upload_cap, 0u);
  ASSERT_TRUE(apply_values({{"foreground_download_limit", "1048576"},
                            {"background_download_limit", "40%"},
                            {"business_hours", "22-6"},
                            {"background_download_limit_business_hours", "10%"},
                            {"foreground_download_limit_off_hours", "0"},
                            {"monthly_upload_cap", "21474836480"}},
                           config));
  const auto& caps = config.download_caps;
  EXPECT_EQ(caps.foreground, (engine::DownloadLimit{1048576, 0}));
  EXPECT_EQ(caps.background, (engine::DownloadLimit{0, 40}));
  EXPECT_EQ(caps.business_begin_hour, 22);
  EXPECT_EQ(caps.business_end_hour, 6);
  EXPECT_EQ(caps.background_business, (engine::DownloadLimit{0, 10}));
  EXPECT_EQ(caps.foreground_off_hours, engine::DownloadLimit{});  // set: no cap off hours
  EXPECT_FALSE(caps.foreground_business.has_value());             // unset: the plain limit
  EXPECT_EQ(config.monthly_upload_cap, 21474836480u);
  // What a reload logs reads as it was written.
  EXPECT_EQ(value_of(config, "background_download_limit"), "40%");
  EXPECT_EQ(value_of(config, "business_hours"), "22-6");
  EXPECT_EQ(value_of(config, "foreground_download_limit_business_hours"), "");
  for (const auto* key : {"foreground_download_limit", "business_hours", "monthly_upload_cap",
                          "background_download_limit_off_hours"}) {
    EXPECT_TRUE(reloadable(key)) << key;
  }
  ASSERT_TRUE(apply_values({{"business_hours", "8-24"}}, config));
  EXPECT_EQ(config.download_caps.business_end_hour, 0);  // midnight

  for (const auto& [key, bad] : std::vector<std::pair<std::string, std::string>>{
           {"background_download_limit", "0%"},
           {"background_download_limit", "101%"},
           {"foreground_download_limit", "-1"},
           {"foreground_download_limit", "10M"},
           {"foreground_download_limit_business_hours", "x%"},
           {"business_hours", "8"},
           {"business_hours", "8-8"},
           {"business_hours", "25-3"},
           {"business_hours", "0-24"}}) {
    auto applied = apply_values({{key, bad}}, config);
    ASSERT_FALSE(applied) << key << " = " << bad;
    EXPECT_TRUE(applied.error().message.starts_with(key + ": ")) << applied.error().message;
  }
}

TEST(ConfigTest, TheGroupsCertificatesAreAbsolutePathsAndNoneByDefault) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_TRUE(config.group_ca_file.empty() && config.group_cert_file.empty() &&
              config.group_key_file.empty());
  ASSERT_TRUE(apply_values({{"group_ca_file", "/etc/swarmcopy/group-ca.pem"},
                            {"group_cert_file", "/etc/swarmcopy/machine.pem"},
                            {"group_key_file", "/etc/swarmcopy/machine.key"}},
                           config));
  EXPECT_EQ(config.group_key_file, "/etc/swarmcopy/machine.key");
  EXPECT_FALSE(reloadable("group_cert_file"));  // read at start
  for (const auto* key : {"group_ca_file", "group_cert_file", "group_key_file"}) {
    auto applied = apply_values({{key, "machine.pem"}}, config);
    ASSERT_FALSE(applied) << key;
    EXPECT_EQ(applied.error().message, std::string(key) + ": expected an absolute path");
  }
}

TEST(ConfigTest, TheRegistryMirrorIsOffByDefaultLoopbackForAPortAndNeedsAnUpstream) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_TRUE(config.registry_mirror_listen.empty());
  EXPECT_TRUE(config.registry_upstream.empty());
  ASSERT_TRUE(apply_values({{"registry_mirror_listen", "5050"}}, config));
  EXPECT_EQ(config.registry_mirror_listen, "127.0.0.1:5050");
  auto incomplete = check_complete(config);
  ASSERT_FALSE(incomplete);
  EXPECT_NE(incomplete.error().message.find("registry_upstream"), std::string::npos);
  ASSERT_TRUE(apply_values(
      {{"registry_upstream", " http://127.0.0.1:5000, docker.io=http://hub-cache:5000 "}}, config));
  EXPECT_EQ(config.registry_upstream, "http://127.0.0.1:5000, docker.io=http://hub-cache:5000");
  EXPECT_TRUE(check_complete(config));
  ASSERT_TRUE(apply_values({{"registry_mirror_listen", "0.0.0.0:5050"}}, config));
  EXPECT_EQ(config.registry_mirror_listen, "0.0.0.0:5050");
  ASSERT_TRUE(apply_values({{"registry_upstream", "https://registry-1.docker.io"}}, config));
  for (const char* bad : {"ftp://registry", "registry:5000", "http://u:p@r", "https://u:p@r"}) {
    auto applied = apply_values({{"registry_upstream", bad}}, config);
    ASSERT_FALSE(applied) << bad;
    EXPECT_TRUE(applied.error().message.starts_with("registry_upstream: ")) << bad;
    EXPECT_EQ(applied.error().message.find("u:p"), std::string::npos) << "no credential echoed";
  }
  auto bad_listen = apply_values({{"registry_mirror_listen", "localhost:5050"}}, config);
  ASSERT_FALSE(bad_listen);
  EXPECT_TRUE(bad_listen.error().message.starts_with("registry_mirror_listen: "));
}

TEST(ConfigTest, TheSitesCaFileIsAnAbsolutePathAndNoneByDefault) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_TRUE(config.tls_ca_file.empty());
  ASSERT_TRUE(apply_values({{"tls_ca_file", "/etc/ssl/corp-ca.pem"}}, config));
  EXPECT_EQ(config.tls_ca_file, "/etc/ssl/corp-ca.pem");
  auto relative = apply_values({{"tls_ca_file", "corp-ca.pem"}}, config);
  ASSERT_FALSE(relative);
  EXPECT_TRUE(relative.error().message.starts_with("tls_ca_file: ")) << relative.error().message;
  ASSERT_TRUE(apply_values({{"tls_ca_file", ""}}, config));
  EXPECT_TRUE(config.tls_ca_file.empty());
}

TEST(ConfigTest, MetricsListenIsOffByDefaultAndLoopbackWhenOnlyAPortIsGiven) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_TRUE(config.metrics_listen.empty());
  ASSERT_TRUE(apply_values({{"metrics_listen", "9477"}}, config));
  EXPECT_EQ(config.metrics_listen, "127.0.0.1:9477");
  // Another address only when written out.
  ASSERT_TRUE(apply_values({{"metrics_listen", "0.0.0.0:9100"}}, config));
  EXPECT_EQ(config.metrics_listen, "0.0.0.0:9100");
  ASSERT_TRUE(apply_values({{"metrics_listen", "[::1]:9100"}}, config));
  EXPECT_EQ(config.metrics_listen, "[::1]:9100");
  const auto endpoint = parse_listen_endpoint(config.metrics_listen);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->address, "::1");
  EXPECT_EQ(endpoint->port, 9100);
  ASSERT_TRUE(apply_values({{"metrics_listen", ""}}, config));
  EXPECT_TRUE(config.metrics_listen.empty());
  for (const char* bad : {"0", "65536", "localhost:9100", "::1:9100", "1.2.3.4:", "x"}) {
    auto applied = apply_values({{"metrics_listen", bad}}, config);
    ASSERT_FALSE(applied) << bad;
    EXPECT_TRUE(applied.error().message.starts_with("metrics_listen: ")) << bad;
  }
}

TEST(ConfigTest, HttpListenIsOffByDefaultAndLoopbackWhenOnlyAPortIsGiven) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_TRUE(config.http_listen.empty());
  ASSERT_TRUE(apply_values({{"http_listen", "9478"}}, config));
  EXPECT_EQ(config.http_listen, "127.0.0.1:9478");
  ASSERT_TRUE(apply_values({{"http_listen", "[::1]:9478"}}, config));
  EXPECT_EQ(config.http_listen, "[::1]:9478");
  EXPECT_TRUE(config.metrics_listen.empty());  // the two keys are apart
  ASSERT_TRUE(apply_values({{"http_listen", ""}}, config));
  EXPECT_TRUE(config.http_listen.empty());
  for (const char* bad : {"0", "localhost:9478", "x"}) {
    auto applied = apply_values({{"http_listen", bad}}, config);
    ASSERT_FALSE(applied) << bad;
    EXPECT_TRUE(applied.error().message.starts_with("http_listen: ")) << bad;
  }
}

// Sets an environment variable for a scope and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DefaultConfig, UserModeKeepsItsStateWhereGetDoes) {
  ScopedEnv no_home_override("SWARMCOPY_HOME", nullptr);
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv xdg("XDG_STATE_HOME", "/xdg/state");
    EXPECT_EQ(default_config(DaemonMode::kUser).state_dir, "/xdg/state/swarmcopy");
    EXPECT_EQ(default_config(DaemonMode::kUser).state_dir, util::user_state_dir().value());
  }
  {
    ScopedEnv relative("XDG_STATE_HOME", "relative/state");  // invalid by the XDG spec: ignored
    EXPECT_EQ(default_config(DaemonMode::kUser).state_dir, "/home/someone/.local/state/swarmcopy");
  }
  {
    ScopedEnv xdg("XDG_STATE_HOME", "/xdg/state");
    ScopedEnv explicit_home("SWARMCOPY_HOME", "/explicit");
    EXPECT_EQ(default_config(DaemonMode::kUser).state_dir, "/explicit");
  }
  EXPECT_EQ(default_config(DaemonMode::kSystem).state_dir, "/var/lib/swarmcopy");
}

}  // namespace
}  // namespace swarmcopy::daemon

namespace swarmcopy::daemon {
namespace {

TEST(ConfigTest, GroupModeNeedsAGroupAndTakesTrackers) {
  Config config = default_config(DaemonMode::kSystem);
  EXPECT_TRUE(config.group_id.empty());
  EXPECT_TRUE(config.trackers.empty());
  ASSERT_TRUE(apply_values({{"download_mode", "group"}}, config));
  auto incomplete = check_complete(config);
  ASSERT_FALSE(incomplete);
  EXPECT_NE(incomplete.error().message.find("group_id"), std::string::npos);
  ASSERT_TRUE(apply_values(
      {{"group_id", "site-hq"}, {"trackers", "http://t1:6969/announce udp://t2:6969"}}, config));
  EXPECT_TRUE(check_complete(config));
  EXPECT_EQ(config.trackers,
            (std::vector<std::string>{"http://t1:6969/announce", "udp://t2:6969"}));
  for (const auto& [key, bad] : std::vector<std::pair<std::string, std::string>>{
           {"group_id", "two words"}, {"trackers", "ftp://t"}, {"download_mode", "internet"}}) {
    auto applied = apply_values({{key, bad}}, config);
    ASSERT_FALSE(applied) << key;
    EXPECT_TRUE(applied.error().message.starts_with(key + ": ")) << applied.error().message;
  }
}

}  // namespace
}  // namespace swarmcopy::daemon
