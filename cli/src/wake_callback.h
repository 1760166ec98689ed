// WakeCallback: a job Callback that only wakes the command's main thread. The engine calls it
// on its notification thread; it writes to an eventfd that JobWaiter polls, so the main thread
// re-reads the job at once instead of at its next periodic poll. It owns the eventfd, so a
// late notification after the waiter is gone still writes to a valid descriptor.
#pragma once

#include "swarmcopy/api/callback.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::cli {

class WakeCallback final : public api::Callback {
 public:
  explicit WakeCallback(util::UniqueFd event_fd) : event_fd_(std::move(event_fd)) {}

  void job_transferred(api::Job& job) override;
  void job_error(api::Job& job, const api::Error& error) override;
  void job_modification(api::Job& job) override;
  void file_transferred(api::Job& job, const api::FileStatus& file) override;

  int fd() const { return event_fd_.get(); }
  // Clears pending wake-ups; called by the waiter after poll reported the fd readable.
  void drain();

 private:
  void wake();
  util::UniqueFd event_fd_;
};

}  // namespace swarmcopy::cli
