// DaemonMode: system-wide (one daemon for every user, run as root) or per user (run as that
// user, for that user only). The mode picks default paths and whether callers other than the
// daemon's own uid are served.
#pragma once

#include <string_view>

namespace swarmcopy::daemon {

enum class DaemonMode { kSystem, kUser };

constexpr std::string_view to_string(DaemonMode mode) {
  return mode == DaemonMode::kSystem ? "system" : "user";
}

}  // namespace swarmcopy::daemon
