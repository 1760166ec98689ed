// JobWatch: `swarmcopy job watch JOB`: follows a daemon job until it settles, drawing the
// progress bar on a terminal (and with --json printing the job object each time it changes),
// and turns where it settled into the exit code: TRANSFERRED or ACKNOWLEDGED 0, ERROR or
// CANCELLED 2 (with the error line), SUSPENDED 3; SIGINT/SIGTERM 130 (the job is left as it
// is: watching is passive). A daemon that restarts meanwhile is waited for (up to a grace
// period), not reported as a failure. Main thread.
#pragma once

#include <chrono>
#include <memory>

#include "job_output.h"
#include "job_waiter.h"
#include "swarmcopy/api/job.h"

namespace swarmcopy::cli {

class JobWatch {
 public:
  JobWatch(std::shared_ptr<api::Job> job, JobWaiter& waiter, const JobOutput& output,
           bool progress_bar)
      : job_(std::move(job)), waiter_(waiter), output_(output), progress_bar_(progress_bar) {}

  int run();

 private:
  std::shared_ptr<api::Job> job_;
  JobWaiter& waiter_;
  const JobOutput& output_;
  bool progress_bar_;
};

}  // namespace swarmcopy::cli
