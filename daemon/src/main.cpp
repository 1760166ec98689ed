// swarmcopyd: the swarmcopy download service. Parses the command line and hands over to
// run_daemon (daemon.h). Every config file key is also an option (--key or --key-with-dashes).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <string>

#include "config.h"
#include "config_help.h"
#include "daemon.h"

#ifndef SWARMCOPY_VERSION
#define SWARMCOPY_VERSION "0.0.0"
#endif

namespace {

std::string dashed(std::string key) {
  for (char& c : key) {
    if (c == '_') c = '-';
  }
  return key;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace swarmcopy::daemon;
  CLI::App app{
      "swarmcopyd: serves swarmcopy download jobs to local users over a UNIX socket "
      "(HTTP/JSON API, see daemon/API.md)",
      "swarmcopyd"};
  bool user_mode = false;
  std::string config_file;
  app.add_flag("--user", user_mode,
               "per-user daemon: socket in $XDG_RUNTIME_DIR/swarmcopy, state where `swarmcopy "
               "get` keeps its own ($SWARMCOPY_HOME, else $XDG_STATE_HOME/swarmcopy, else "
               "~/.local/state/swarmcopy), exits when idle");
  app.add_option("--config", config_file,
                 "config file (default /etc/swarmcopy/swarmcopyd.conf, or "
                 "~/.config/swarmcopy/swarmcopyd.conf with --user, when it exists)");
  app.set_version_flag("--version", SWARMCOPY_VERSION);
  app.footer(
      "Every config key is also an option (--key or --key-with-dashes) and a line of the config "
      "file (key = value); the command line wins. SIGHUP re-reads the file: [reload] keys take "
      "effect at once, the others at the next start.");
  std::map<std::string, std::string> values;
  std::map<std::string, CLI::Option*> options;
  for (const auto& key : config_keys()) {
    std::string names = "--" + key;
    if (dashed(key) != key) names += ",--" + dashed(key);
    // Given twice, the last one wins (a wrapper script may append to a standard line).
    options[key] = app.add_option(names, values[key], std::string(config_key_help(key)))
                       ->group("Config keys")
                       ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  CLI11_PARSE(app, argc, argv);

  DaemonArgs args;
  args.mode = user_mode ? DaemonMode::kUser : DaemonMode::kSystem;
  if (!config_file.empty()) args.config_file = config_file;
  for (const auto& [key, option] : options) {
    if (option->count() > 0) args.overrides[key] = values[key];
  }
  return run_daemon(args);
}
