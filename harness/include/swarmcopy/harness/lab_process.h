// LabProcess: a handle on a process NetworkLab::run_in started inside a namespace: its pid,
// where its output goes, bounded waits, signals. The process leads its own process group, and
// kill() signals the whole group, so whatever it forked goes too. The lab owns the process:
// close() kills and reaps every process it started, also those whose handles are gone.
//
// A process that has exited stays a zombie until the lab closes (wait() reads its status
// without reaping it), so its pid — and the process-group id kill() and close() signal — cannot
// be reused by an unrelated process meanwhile.
//
// Copies share one process. Not thread-safe: the lab and its handles are used by one thread at
// a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "swarmcopy/api/error.h"

namespace swarmcopy::harness {

class LabProcess {
 public:
  struct State;  // shared with the lab that started the process

  explicit LabProcess(std::shared_ptr<State> state);

  pid_t pid() const;
  const std::filesystem::path& stdout_path() const;
  const std::filesystem::path& stderr_path() const;

  // The exit code (128 + signal number when killed by a signal) once the process has exited;
  // nullopt if it still runs when `timeout` passes (it keeps running). Error: the status could
  // not be read (the lab was closed, or waitid failed).
  api::Result<std::optional<int>> wait(std::chrono::milliseconds timeout);
  bool running() const;
  // Sends `signal_number` to the process's whole group. No-op once the lab has reaped it.
  void kill(int signal_number = SIGKILL) const;

  // Waits until the captured stdout contains `needle` ("listening"): true when it does, false
  // when the process exited without writing it or `timeout` passed.
  bool wait_for_stdout(std::string_view needle, std::chrono::milliseconds timeout) const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace swarmcopy::harness
