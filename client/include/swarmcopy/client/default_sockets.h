// Where swarmcopyd listens unless told otherwise (daemon/API.md): the system daemon's socket
// and the per-user daemon's. Pure functions of the environment: any thread.
#pragma once

#include <filesystem>
#include <optional>

namespace swarmcopy::client {

// /run/swarmcopy/swarmcopyd.sock
std::filesystem::path system_socket_path();

// $XDG_RUNTIME_DIR/swarmcopy/swarmcopyd.sock; nullopt when $XDG_RUNTIME_DIR is unset, empty
// or relative (the XDG spec says to ignore it then).
std::optional<std::filesystem::path> user_socket_path();

}  // namespace swarmcopy::client
