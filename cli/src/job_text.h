// The human forms of jobs that `swarmcopy job show` and `job list` print without --json:
// not a contract (scripts use --json), but stable enough to read at a glance. Pure
// functions: any thread.
#pragma once

#include <string>
#include <vector>

#include "swarmcopy/api/job_info.h"

namespace swarmcopy::cli {

// Several lines: id and name, state, type, priority, progress, bytes by source (origin,
// peers, cache), times, error, settings, and one line per file. Ends with '\n'.
std::string job_details_text(const api::JobInfo& info);

// A table, one job per line under a header: id, state, progress, name. Ends with '\n';
// "no jobs\n" when empty.
std::string job_list_text(const std::vector<api::JobInfo>& jobs);

// A job's progress as progress_text says it, or "no files" for a job without any.
std::string job_progress_text(const api::Progress& progress);

// "12.0 MiB / 1.0 GiB (1%)", or "12.0 MiB / ?" while the total is unknown.
std::string progress_text(std::uint64_t done, const std::optional<std::uint64_t>& total);

}  // namespace swarmcopy::cli
