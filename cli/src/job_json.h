// JSON forms of the api's value types, as the CLI prints them with --json. Field names and
// enum spellings (api to_string: states upper case, priorities and error names lower case)
// are part of the CLI's contract: scripts parse them. Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_info.h"

namespace swarmcopy::cli {

// {"context", "kind", "code", "message", "protocol", "file"}
nlohmann::json error_to_json(const api::Error& error);

// {"url", "path", "sha256", "bytes_total", "bytes_transferred", "completed", "from_origin",
//  "from_peers", "from_cache"}; unknown values are null.
nlohmann::json file_to_json(const api::FileStatus& file);

// Everything JobInfo holds; times as RFC 3339 UTC strings, null while they have not happened;
// the values of credential headers (Authorization, Cookie) masked.
nlohmann::json job_to_json(const api::JobInfo& info);

}  // namespace swarmcopy::cli
