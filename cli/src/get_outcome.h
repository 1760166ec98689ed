// GetOutcome: what one `swarmcopy get` run ended with, and its --json form. Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "swarmcopy/api/error.h"
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
  double seconds = 0;    // wall time of this run
  bool resumed = false;  // an unfinished job from an earlier run was reused
  std::optional<api::Error> error;
};

// {"job", "state", "path", "bytes", "from_origin", "from_peers", "from_cache", "seconds",
//  "resumed"} and, only on failure, "error" (see job_json.h); job and state may be null.
nlohmann::json get_outcome_to_json(const GetOutcome& outcome);

}  // namespace swarmcopy::cli
