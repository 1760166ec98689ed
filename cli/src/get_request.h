// GetRequest: a `swarmcopy get` command line after validation: paths absolute, values parsed.
// Plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/download_mode.h"
#include "swarmcopy/api/job_state.h"
#include "swarmcopy/api/proxy_settings.h"
#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::cli {

struct GetRequest {
  std::string url;
  std::filesystem::path path;                           // absolute
  std::optional<std::string> sha256;                    // lower-case hex
  api::Priority priority = api::Priority::kForeground;  // a user is waiting
  std::vector<std::string> headers;                     // "Name: value"
  std::uint64_t max_bytes_per_second = 0;               // 0: no limit
  // --proxy / --proxy-bypass (system unless given: the engine's or daemon's, else the
  // environment's).
  api::ProxySettings proxy;
  // --no-progress-timeout: a get gives up after this long retrying without progress. Short,
  // unlike a job's (BITS' 14 days): someone, or a script, is waiting for the answer.
  std::chrono::seconds no_progress_timeout{std::chrono::minutes(5)};
  std::filesystem::path home;  // absolute; unused with `daemon`
  // --daemon: the job runs in swarmcopyd (found as daemon_discovery.h says, never started).
  bool daemon = false;
  std::optional<std::filesystem::path> socket;  // --socket
  bool json = false;
  bool explain = false;         // --explain: say where each byte came from and why, as it ends
  bool quiet = false;           // -q: no progress bar, no notes; errors and JSON still printed
  bool progress_bar = false;    // stderr is a terminal and no -q
  bool progress_lines = false;  // --json-progress: JSON progress lines on stderr
  // Where bytes may come from (see api::DownloadMode); unset: the engine's default (lan).
  std::optional<api::DownloadMode> mode;
  std::optional<std::string> metadata_url;  // --metadata
  // The embedded engine's peer session (the daemon has its own configuration): --peer,
  // --listen, --no-lsd, --upload-limit, --max-peers, with the engine's defaults.
  engine::PeerOptions peer;
  std::chrono::seconds seed_time{0};     // --seed-time: serve peers this long after success
  std::uint64_t min_peer_file_size = 0;  // --min-peer-file-size
  // One of the options above (--peer ... --seed-time) was given: they cannot apply when the
  // job runs in a daemon, which has its own peer session.
  bool peer_options_given = false;
};

}  // namespace swarmcopy::cli
