// GetOutcome: what one `swarmcopy get` run ended with, and its --json form. Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmcopy/api/download_mode.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_state.h"

namespace swarmcopy::cli {

struct GetOutcome {
  std::optional<api::JobId> job;       // none when the run failed before a job existed
  std::optional<api::JobState> state;  // the state that ended the run (ERROR on failure)
  std::string path;                    // the destination asked for
  std::uint64_t bytes = 0;             // verified bytes of the file when the run ended
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t from_cache = 0;
  std::uint64_t refetched = 0;               // bytes received again (api::FileStatus::refetched)
  bool origin_ignores_range = false;         // the origin sent the whole file to a Range request
  std::optional<std::uint64_t> bytes_total;  // once the size is known
  std::optional<api::DownloadMode> mode;
  std::uint64_t uploaded = 0;  // to peers, while the job ran
  std::uint32_t peers_seen = 0;
  std::uint32_t peers_connected = 0;
  std::vector<api::PeerTraffic> peers;
  std::optional<std::string> peers_unused_reason;  // why peers gave nothing, if they did not
  std::optional<std::string> content_sha256;       // the content's identity, when it is known
  std::optional<std::string> metadata_source;      // api::FileStatus::metadata_source
  double seconds = 0;                              // wall time of this run
  // get --explain: `job explain`'s object for the job, taken as it ended (before complete()).
  std::optional<nlohmann::json> explanation;
  bool resumed = false;  // an unfinished job from an earlier run was reused
  // This run waited for another `get` of the same URL into the same path, which holds the
  // home, and reports the job that one completed instead of downloading again.
  bool joined = false;
  std::optional<api::Error> error;
};

// {"job", "state", "path", "bytes", "bytes_total", "mode", "from_origin", "from_peers",
//  "from_cache", "refetched", "origin_ignores_range", "uploaded", "peers_seen", "peers_connected",
//  "peers" [{"addr", "bytes_down", "bytes_up"}], "peers_unused_reason", "content_sha256",
//  "metadata_source", "seconds", "resumed", "joined"} and, only on failure, "error"
// (see job_json.h); job, state, bytes_total, mode and peers_unused_reason may be null.
nlohmann::json get_outcome_to_json(const GetOutcome& outcome);

}  // namespace swarmcopy::cli
