// JSON forms of the api's value types, as the CLI prints them with --json. They are the
// daemon's wire forms (the ipc codec, daemon/API.md), so a script reads a job the same way
// from `swarmcopy job ... --json` and from the socket. Field names and enum spellings (states
// upper case, priorities and error names lower case) are part of the CLI's contract. Pure
// functions: any thread.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_info.h"

namespace swarmcopy::cli {

// {"context", "kind", "code", "message", "file", "protocol"}
nlohmann::json error_to_json(const api::Error& error);

// The daemon's Job object (daemon/API.md): id, name, type, state, priority, owner_uid,
// bytes_total (null while unknown), bytes_transferred, files_total, files_transferred,
// from_origin, from_peers, from_cache, refetched, origin_ignores_range (any file's), uploaded,
// peers_seen, peers_connected, peers [{addr, bytes_down, bytes_up}], peers_unused_reason, files
// [{url, path, sha256, metadata_url, mode, bytes_total, bytes_transferred, completed, the same
// source fields}], error (or null), times {created, modified, transferred} (RFC 3339, null while
// not happened), no_progress_timeout, notify_flags, http_headers (credential values masked),
// max_bytes_per_second.
nlohmann::json job_to_json(const api::JobInfo& info);

// A JSON array of job objects.
nlohmann::json jobs_to_json(const std::vector<api::JobInfo>& jobs);

}  // namespace swarmcopy::cli
