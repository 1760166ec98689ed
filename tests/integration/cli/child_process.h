// ChildProcess: runs a program (the real swarmcopy binary) as a child with its stdout and
// stderr captured through pipes, so tests see exactly what a user or a script would. Waits are
// bounded; a child still running when the object dies is killed and reaped, so a failing test
// leaves no process behind. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace swarmcopy::test {

struct ChildResult {
  int exit_code = -1;  // the exit status, or 128 + signal number when killed by a signal
  bool timed_out = false;
  std::string out;
  std::string err;
};

class ChildProcess {
 public:
  // args[0] is the program's path. `env` entries are added to (or replace in) our environment.
  static std::expected<std::unique_ptr<ChildProcess>, std::string> spawn(
      const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
      const std::vector<std::pair<std::string, std::string>>& env = {});

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

 private:
  ChildProcess() = default;
  // Reads `fd` into `kept` until `seen(kept)`; false if it closed or `timeout` passed first.
  bool read_until(int& fd, std::string& kept, const std::function<bool(const std::string&)>& seen,
                  std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string early_out_;  // stdout read by wait_for_output
  std::string early_err_;  // stderr read by wait_for_error_output
};

// spawn + wait.
ChildResult run_child(const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace swarmcopy::test
