// JobWaiter: how a command's main thread sleeps until something happens to its job: a
// notification from the engine (through WakeCallback), SIGINT or SIGTERM, or a timeout (the
// periodic progress poll). One poll() on an eventfd and a signalfd: no busy loop, no flag
// polled from a signal handler, and a signal is never lost between two waits.
//
// create() blocks SIGINT and SIGTERM in the calling thread for the rest of the process's life.
// Call it on the main thread before open_local() starts the engine's threads: they inherit
// the mask, so the signals wait in the signalfd instead of killing the process in the middle
// of a suspend. Used by one thread.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <string>

#include "swarmcopy/util/unique_fd.h"
#include "wake_callback.h"

namespace swarmcopy::cli {

class JobWaiter {
 public:
  enum class Event { kTimeout, kWoken, kSignal };
  struct Wakeup {
    Event event = Event::kTimeout;
    int signal = 0;  // the signal number for kSignal
  };

  static std::expected<JobWaiter, std::string> create();

  // The callback to pass to Job::set_notify_interface.
  std::shared_ptr<WakeCallback> callback() const { return callback_; }

  // Sleeps until a signal, a wake-up or `timeout`. A pending signal wins over a wake-up.
  Wakeup wait(std::chrono::milliseconds timeout);

 private:
  JobWaiter(util::UniqueFd signal_fd, std::shared_ptr<WakeCallback> callback)
      : signal_fd_(std::move(signal_fd)), callback_(std::move(callback)) {}

  util::UniqueFd signal_fd_;
  std::shared_ptr<WakeCallback> callback_;
};

}  // namespace swarmcopy::cli
