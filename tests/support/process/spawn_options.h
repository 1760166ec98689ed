// SpawnOptions: where and with what a ChildProcess runs, besides its command line.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace swarmcopy::test {

// Every member has an initializer, so that callers may name only what they set
// ({.cwd = dir}) without -Wmissing-field-initializers.
struct SpawnOptions {
  std::filesystem::path cwd{};  // empty: ours
  // Variables of ours the child does not get: a name, or a name prefix ending in '*'
  // ("XDG_*"). Applied before `env`.
  std::vector<std::string> env_removed{};
  // Variables added to the child's environment, or replacing ours of the same name.
  std::vector<std::pair<std::string, std::string>> env{};
  // Empty: stdout and stderr are captured through pipes (wait_for_output, ChildResult). Set:
  // both are appended to this file instead, for a long-running child (a daemon) whose output
  // nobody reads while it runs and which must never block on a full pipe.
  std::filesystem::path log{};
};

}  // namespace swarmcopy::test
