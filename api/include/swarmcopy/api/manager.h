// Manager: the job queue (IBackgroundCopyManager). Implemented in-process by the engine
// (engine::open_local) and over the daemon's socket (RemoteManager); a program's code is the
// same either way. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_info.h"
#include "swarmcopy/api/job_state.h"

namespace swarmcopy::api {

class Manager {
 public:
  virtual ~Manager() = default;
  // A new job starts SUSPENDED: add files, then resume.
  virtual Result<std::shared_ptr<Job>> create_job(const std::string& display_name,
                                                  JobType type = JobType::kDownload) = 0;
  // An unknown id and another user's job give the same kNotFound error.
  virtual Result<std::shared_ptr<Job>> get_job(const JobId& id) = 0;
  // The caller's jobs, oldest first (final ones included until they are purged).
  virtual Result<std::vector<std::shared_ptr<Job>>> jobs() = 0;
  // A snapshot of each of them (Job::info) in one call: one engine pass, or one request.
  virtual Result<std::vector<JobInfo>> job_infos() = 0;
};

}  // namespace swarmcopy::api
