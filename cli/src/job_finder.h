// Finding the job an earlier `swarmcopy get` left unfinished (interrupted, crashed, failed
// transiently), so that running the same command again resumes it instead of starting over.
#pragma once

#include <memory>
#include <optional>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_spec.h"
#include "swarmcopy/api/job.h"
#include "swarmcopy/api/job_info.h"
#include "swarmcopy/api/job_times.h"
#include "swarmcopy/api/manager.h"

namespace swarmcopy::cli {

// The display name `get` gives its jobs.
std::string get_job_name(const std::string& url);

// The newest non-final job whose only file has the URL, destination and expected SHA-256 of
// `spec`; nullptr when there is none. A job that `get` made for the same URL and destination
// but with another expected SHA-256 is cancelled (its partial data answers a different
// question and would only hold the destination's temporary file).
api::Result<std::shared_ptr<api::Job>> find_resumable_get_job(api::Manager& manager,
                                                              const api::FileSpec& spec);

// The newest job a `get` of `spec` (same URL, destination and expected SHA-256) completed
// (ACKNOWLEDGED) at or after `since`: what a second `get` that waited for the first reports
// instead of downloading the file again. nullopt when there is none.
api::Result<std::optional<api::JobInfo>> find_get_job_completed_since(api::Manager& manager,
                                                                      const api::FileSpec& spec,
                                                                      api::Clock::time_point since);

}  // namespace swarmcopy::cli
