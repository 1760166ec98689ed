// DaemonOptions: how a test runs swarmcopyd (DaemonProcess): its command line, environment and
// log, and how long it may take to answer.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace swarmcopy::test {

struct DaemonOptions {
  std::filesystem::path program;    // empty: the swarmcopyd this build made
  std::filesystem::path socket;     // where it listens: readiness is checked there
  bool pass_socket = true;          // add --socket (false to test the --user default)
  std::filesystem::path state_dir;  // passed as --state-dir unless empty
  std::filesystem::path log;        // its stdout and stderr, appended
  // When set, an environment of its own, so that no config or socket of the user running the
  // tests leaks in: HOME=home, XDG_RUNTIME_DIR=home/run, XDG_CONFIG_HOME=home/config, none of
  // our other XDG_* or SWARMCOPY_* variables. `env` applies after this.
  std::filesystem::path home;
  std::vector<std::string> args;                         // more arguments
  std::vector<std::pair<std::string, std::string>> env;  // added to or replacing ours
  std::chrono::milliseconds ready_timeout{std::chrono::seconds(20)};
};

}  // namespace swarmcopy::test
