// swarmcopyd's config: every key says what it does (the help of its option), and the user
// daemon's state directory is the one `swarmcopy get` would open (util::user_state_dir).
#include <cstdlib>
#include <optional>
#include <string>

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
