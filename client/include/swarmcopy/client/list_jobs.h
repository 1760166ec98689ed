// list_jobs: a snapshot of every job of a manager in one call. Manager::jobs() returns
// handles, and reading each costs a round trip to the daemon; for a RemoteManager this asks
// once (GET /v1/jobs), for any other manager it reads each job in turn. Thread-safe.
#pragma once

#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_info.h"
#include "swarmcopy/api/manager.h"

namespace swarmcopy::client {

// Oldest first, as Manager::jobs(). A job that disappears while the list is read (purged) is
// left out.
api::Result<std::vector<api::JobInfo>> list_jobs(api::Manager& manager);

}  // namespace swarmcopy::client
