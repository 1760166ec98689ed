// DaemonArgs: what the command line decided: the mode, an explicit config file, and the keys
// given as options (which win over the file, also at a SIGHUP reload). Plain value type.
#pragma once

#include <filesystem>
#include <optional>

#include "config.h"
#include "daemon_mode.h"

namespace swarmcopy::daemon {

struct DaemonArgs {
  DaemonMode mode = DaemonMode::kSystem;
  std::optional<std::filesystem::path> config_file;
  ConfigValues overrides;
};

}  // namespace swarmcopy::daemon
