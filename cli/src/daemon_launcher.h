// Starting the per-user swarmcopyd on demand (for `swarmcopy job ...` when none answers): find
// the program, run `swarmcopyd --user --socket PATH` detached from this process (own session,
// stdin from /dev/null, stdout and stderr to swarmcopyd.log beside the socket, default signal
// mask and dispositions), then wait until the socket answers. A lock file beside the socket
// makes concurrent CLIs start one daemon, not several. Main thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>

#include "swarmcopy/api/error.h"

namespace swarmcopy::cli {

// swarmcopyd next to the running swarmcopy (/proc/self/exe's directory), else in $PATH.
std::optional<std::filesystem::path> find_daemon_program();

// Starts the user daemon for `socket` unless one answers there already; returns once it
// answers, or an error (kUnavailable, naming the log file) if it did not within `timeout`.
api::Result<void> start_user_daemon(const std::filesystem::path& socket,
                                    std::chrono::milliseconds timeout);

}  // namespace swarmcopy::cli
