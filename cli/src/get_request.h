// GetRequest: a `swarmcopy get` command line after validation: paths absolute, values parsed.
// Plain value type.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/job_state.h"

namespace swarmcopy::cli {

struct GetRequest {
  std::string url;
  std::filesystem::path path;                           // absolute
  std::optional<std::string> sha256;                    // lower-case hex
  api::Priority priority = api::Priority::kForeground;  // a user is waiting
  std::vector<std::string> headers;                     // "Name: value"
  std::uint64_t max_bytes_per_second = 0;               // 0: no limit
  std::filesystem::path home;                           // absolute; unused with `daemon`
  // --daemon: the job runs in swarmcopyd (found as daemon_discovery.h says, never started).
  bool daemon = false;
  std::optional<std::filesystem::path> socket;  // --socket
  bool json = false;
  bool quiet = false;         // -q: no progress bar, no notes; errors and JSON still printed
  bool progress_bar = false;  // stderr is a terminal and no -q
};

}  // namespace swarmcopy::cli
