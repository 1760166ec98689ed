#include "wake_callback.h"

#include <sys/eventfd.h>

namespace swarmcopy::cli {

void WakeCallback::job_transferred(api::Job&) { wake(); }
void WakeCallback::job_error(api::Job&, const api::Error&) { wake(); }
void WakeCallback::job_modification(api::Job&) { wake(); }
void WakeCallback::file_transferred(api::Job&, const api::FileStatus&) { wake(); }

void WakeCallback::wake() {
  // Non-blocking eventfd: a failure (EAGAIN at a saturated counter) means a wake-up is
  // already pending, which is all we want.
  (void)::eventfd_write(event_fd_.get(), 1);
}

void WakeCallback::drain() {
  eventfd_t ignored = 0;
  (void)::eventfd_read(event_fd_.get(), &ignored);
}

}  // namespace swarmcopy::cli
