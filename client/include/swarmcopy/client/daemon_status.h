// DaemonStatus: what GET /v1/status says about a swarmcopyd, and the call that asks. Used to
// find out whether a daemon answers at a socket (the CLI's discovery, tests waiting for a
// daemon they started). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "swarmcopy/api/error.h"

namespace swarmcopy::client {

struct DaemonStatus {
  std::string version;     // the daemon's program version
  int api = 0;             // the API version (1)
  std::string mode;        // "system" or "user"
  std::uint32_t uid = 0;   // the caller, as the daemon identified it
  std::uint64_t jobs = 0;  // the caller's jobs
};

// kUnavailable (naming the socket) when no daemon answers within `timeout`.
api::Result<DaemonStatus> daemon_status(
    const std::filesystem::path& socket,
    std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace swarmcopy::client
