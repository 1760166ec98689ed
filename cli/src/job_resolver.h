// The JOB argument of `swarmcopy job VERB JOB`: a full job id, or a prefix of one that only
// one of the caller's jobs has (as git takes a commit prefix). Main thread.
#pragma once

#include <memory>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job.h"
#include "swarmcopy/api/manager.h"

namespace swarmcopy::cli {

// kNotFound when no job matches, kInvalidArgument when several do or `text` is shorter than
// kMinJobPrefix (job_reference.h); either names `text`.
api::Result<std::shared_ptr<api::Job>> resolve_job(api::Manager& manager, const std::string& text);

}  // namespace swarmcopy::cli
