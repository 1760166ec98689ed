// ChildProcess: the tests' one way to run a program (the built swarmcopy and swarmcopyd,
// nginx, aria2c, qbittorrent-nox, the engine worker, useradd) as a child. Its stdout and stderr
// are captured through pipes, so a test sees exactly what a user or a script would, or are
// appended to a log file (SpawnOptions::log). Every wait is bounded. The child is killed if the
// thread that started it dies (PR_SET_PDEATHSIG), and killed and reaped when the object dies,
// so a failing test leaves no process behind. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process/child_result.h"
#include "process/spawn_options.h"

namespace swarmcopy::test {

class ChildProcess {
 public:
  // args[0] is the program's path.
  static std::expected<std::unique_ptr<ChildProcess>, std::string> spawn(
      const std::vector<std::string>& args, const SpawnOptions& options = {});

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  void send_signal(int signal_number) const;

  // Reads the child's stdout (kept for wait()) until it contains `needle`; false if the
  // child closed it or `timeout` passed first. For "the child got this far" checks.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout);
  // Reads the child's stderr (kept for wait()) until `seen` says yes of all of it so far; false
  // if the child closed it or `timeout` passed first. For progress the child reports there.
  bool wait_for_error_output(const std::function<bool(const std::string&)>& seen,
                             std::chrono::milliseconds timeout);

  // Collects output until the child exits or `timeout` passes; then it is killed
  // (timed_out = true). Call once.
  ChildResult wait(std::chrono::milliseconds timeout);
  // For a child whose output goes to a log: its wait(2) status (for WIFEXITED, WEXITSTATUS,
  // WTERMSIG) once it has exited, waiting up to `timeout`; nullopt while it still runs.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Whether it still runs (it is reaped, its status kept, when it has exited).
  bool running();
  // SIGTERM, then SIGKILL after `grace`; reaps. Its exit code (128 + signal number when killed
  // by a signal); -1 when it had already been reaped.
  int stop(std::chrono::milliseconds grace);
  // SIGKILL now, as a crash would; reaps. Does nothing once it was reaped.
  void kill();

 private:
  ChildProcess() = default;
  // Reads `fd` into `kept` until `seen(kept)`; false if it closed or `timeout` passed first.
  bool read_until(int& fd, std::string& kept, const std::function<bool(const std::string&)>& seen,
                  std::chrono::milliseconds timeout);
  // waitpid without blocking; true once the child is reaped (status_ then holds its status).
  bool reap_if_exited();

  pid_t pid_ = -1;
  std::optional<int> status_;  // its wait(2) status, once reaped
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string early_out_;  // stdout read by wait_for_output
  std::string early_err_;  // stderr read by wait_for_error_output
};

// spawn + wait. A spawn failure is a ChildResult with exit_code -1 and the reason in `err`.
ChildResult run_child(const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace swarmcopy::test
