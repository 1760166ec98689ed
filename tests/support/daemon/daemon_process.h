// DaemonProcess: the real swarmcopyd as a test's child, on ChildProcess (so it dies with the
// test and is killed and reaped with the object, pass or fail), with what only a daemon needs:
// its command line and environment from DaemonOptions, its output in a log file, and start(),
// which returns once GET /v1/status on its socket answers 200 (bounded). Used by the daemon's
// and the client's integration tests and the swarm's reseed test. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "daemon/daemon_options.h"
#include "process/child_process.h"

namespace swarmcopy::test {

class DaemonProcess {
 public:
  // Spawns it and waits until it answers; the error carries its log.
  static std::expected<std::unique_ptr<DaemonProcess>, std::string> start(DaemonOptions options);
  // Spawns it without waiting (for daemons expected to refuse to start).
  static std::expected<std::unique_ptr<DaemonProcess>, std::string> spawn(DaemonOptions options);

  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  ~DaemonProcess() = default;  // the ChildProcess kills and reaps it

  pid_t pid() const { return child_->pid(); }
  const DaemonOptions& options() const { return options_; }
  void send_signal(int signal_number) const { child_->send_signal(signal_number); }
  // Waits until GET /v1/status answers 200, or it exits, or `timeout` passes.
  std::expected<void, std::string> wait_ready(std::chrono::milliseconds timeout);
  // Its wait(2) status once it exited within `timeout`, else nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    return child_->wait_exit(timeout);
  }
  bool running() { return child_->running(); }
  // SIGTERM, SIGKILL after `grace`; its exit code (128 + signal when killed), -1 when it was
  // already reaped.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10)) {
    return child_->stop(grace);
  }
  // SIGKILL at once, as a crash; reaps.
  void kill_now() { child_->kill(); }
  // Everything it logged so far.
  std::string log_text() const;

 private:
  DaemonProcess() = default;

  DaemonOptions options_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace swarmcopy::test
