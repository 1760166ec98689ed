// The traffic history of a home (HOME/metrics.sqlite): an embedded `swarmcopy get` adds what
// its engine completed there, and `swarmcopy status --home` reads it back. A user daemon on
// that home (swarmcopyd --user) keeps the same file, so one history covers both ways of
// downloading. The home is held by one process at a time (its lock), so one writer at a time.
// Main thread.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_info.h"

namespace swarmcopy::cli {

// Adds the job's completed files (bytes by source, on today's UTC day) or its error to the
// home's history. Best effort: a failure is logged, never the download's.
void record_in_home_history(const std::filesystem::path& home, const api::JobInfo& info);

// The home's history as GET /v1/traffic answers (metrics::traffic_json): every day empty when
// nothing was recorded there (the file is not created).
api::Result<nlohmann::json> home_traffic(const std::filesystem::path& home, int days);

}  // namespace swarmcopy::cli
