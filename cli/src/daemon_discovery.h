// Which swarmcopyd a command talks to: --socket PATH, else $SWARMCOPY_SOCKET, else the system
// daemon's socket (/run/swarmcopy/swarmcopyd.sock) when it answers, else the user daemon's
// ($XDG_RUNTIME_DIR/swarmcopy/swarmcopyd.sock) — which `job` commands start on demand and
// `get --daemon` never does. An explicit socket (flag or variable) is used as given: a daemon
// that does not answer there is an error, not a reason to try elsewhere. Main thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>

#include "swarmcopy/api/error.h"

namespace swarmcopy::cli {

enum class AutoStart { kNo, kYes };

struct DaemonChoice {
  std::optional<std::filesystem::path> socket_flag;  // --socket
  AutoStart auto_start = AutoStart::kNo;
  std::chrono::milliseconds start_timeout{std::chrono::seconds(10)};
};

// The socket to connect to. With AutoStart::kNo the user daemon's socket is returned whether
// or not anything answers there (connecting then says so, naming it).
api::Result<std::filesystem::path> find_daemon(const DaemonChoice& choice);

}  // namespace swarmcopy::cli
