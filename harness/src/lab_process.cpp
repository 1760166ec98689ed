#include "swarmcopy/harness/lab_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "lab_process_state.h"

namespace swarmcopy::harness {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The exit code if the process has exited, without reaping it (WNOWAIT keeps the zombie, and so
// its pid and process-group id, until the lab closes).
std::optional<int> peek_exit(LabProcess::State& state) {
  if (state.exit_code) return state.exit_code;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(state.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return std::nullopt;
  }
  if (info.si_pid == 0) return std::nullopt;
  state.exit_code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
  return state.exit_code;
}

// Waits until the process exits or `timeout` passes: poll on the pidfd, or short naps where
// the kernel has no pidfd_open.
void await_exit(LabProcess::State& state, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!peek_exit(state)) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return;
    if (state.pidfd) {
      pollfd fd{state.pidfd.get(), POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) return;
    } else {
      std::this_thread::sleep_for(std::min(left, milliseconds(10)));
    }
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

LabProcess::LabProcess(std::shared_ptr<State> state) : state_(std::move(state)) {}

pid_t LabProcess::pid() const { return state_->pid; }
const std::filesystem::path& LabProcess::stdout_path() const { return state_->stdout_path; }
const std::filesystem::path& LabProcess::stderr_path() const { return state_->stderr_path; }

api::Result<std::optional<int>> LabProcess::wait(milliseconds timeout) {
  if (state_->exit_code) return state_->exit_code;
  if (state_->reaped) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidState,
                     "process " + std::to_string(state_->pid) + " was reaped by the lab's close");
  }
  await_exit(*state_, timeout);
  return state_->exit_code;
}

bool LabProcess::running() const { return !state_->reaped && !peek_exit(*state_); }

void LabProcess::kill(int signal_number) const {
  if (!state_->reaped) ::kill(-state_->pid, signal_number);
}

bool LabProcess::wait_for_stdout(std::string_view needle, milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const bool exited = state_->reaped || peek_exit(*state_).has_value();
    // Read after checking for exit: whatever it wrote before exiting is in the file by now.
    if (read_file(state_->stdout_path).find(needle) != std::string::npos) return true;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (exited || left.count() <= 0) return false;
    std::this_thread::sleep_for(std::min(left, milliseconds(10)));
  }
}

bool terminate(LabProcess::State& state) {
  if (state.reaped) return true;
  // The whole group, also when the leader has exited: what it forked may still run.
  ::kill(-state.pid, SIGKILL);
  await_exit(state, std::chrono::seconds(5));
  int status = 0;
  const pid_t reaped = ::waitpid(state.pid, &status, WNOHANG);
  if (reaped == state.pid || (reaped < 0 && errno == ECHILD)) {
    if (reaped == state.pid && !state.exit_code) {
      state.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    state.reaped = true;
    state.pidfd.reset();
    return true;
  }
  return false;
}

}  // namespace swarmcopy::harness
