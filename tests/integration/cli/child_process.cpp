#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace swarmcopy::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::expected<std::unique_ptr<ChildProcess>, std::string> ChildProcess::spawn(
    const std::vector<std::string>& args, const std::filesystem::path& cwd,
    const std::vector<std::pair<std::string, std::string>>& env) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> arg_storage = args;
  std::vector<char*> argv;
  for (auto& arg : arg_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    bool replaced = false;
    for (const auto& [name, value] : env) replaced |= text.starts_with(name + "=");
    if (!replaced) env_storage.emplace_back(text);
  }
  for (const auto& [name, value] : env) env_storage.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string dir = cwd.string();

  // O_CLOEXEC: other children (nginx) must not inherit the write ends, or we would never see
  // EOF on them.
  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0 || ::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return std::unexpected(std::string("pipe2: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  std::unique_ptr<ChildProcess> child(new ChildProcess());  // private constructor
  child->pid_ = pid;
  child->out_fd_ = out_pipe[0];
  child->err_fd_ = err_pipe[0];
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(out_fd_);
  close_fd(err_fd_);
}

void ChildProcess::send_signal(int signal_number) const {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

bool ChildProcess::wait_for_output(const std::string& needle, std::chrono::milliseconds timeout) {
  return read_until(
      out_fd_, early_out_,
      [&needle](const std::string& out) { return out.find(needle) != std::string::npos; }, timeout);
}

bool ChildProcess::wait_for_error_output(const std::function<bool(const std::string&)>& seen,
                                         std::chrono::milliseconds timeout) {
  return read_until(err_fd_, early_err_, seen, timeout);
}

bool ChildProcess::read_until(int& fd, std::string& kept,
                              const std::function<bool(const std::string&)>& seen,
                              std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (!seen(kept)) {
    if (fd < 0) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return false;
    pollfd fds{fd, POLLIN, 0};
    const int ready = ::poll(&fds, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      kept.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      close_fd(fd);
    }
  }
  return true;
}

ChildResult ChildProcess::wait(std::chrono::milliseconds timeout) {
  ChildResult result;
  result.out = std::move(early_out_);
  result.err = std::move(early_err_);
  const auto deadline = SteadyClock::now() + timeout;
  const auto remaining_ms = [&] {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
  };
  // Read until both pipes are closed (the child exited, or closed them).
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    std::array<pollfd, 2> fds{{{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}}};
    const int ready = ::poll(fds.data(), fds.size(), remaining_ms());
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      result.timed_out = true;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close_fd(i == 0 ? out_fd_ : err_fd_);
      }
    }
  }
  // The pipes are closed; the exit itself follows at once, but stay bounded anyway.
  while (!result.timed_out) {
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      result.exit_code = exit_code_of(status);
      pid_ = -1;
      return result;
    }
    if (SteadyClock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = exit_code_of(status);
  pid_ = -1;
  return result;
}

ChildResult run_child(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      std::chrono::milliseconds timeout) {
  auto child = ChildProcess::spawn(args, cwd);
  if (!child) {
    ChildResult failed;
    failed.err = child.error();
    return failed;
  }
  return (*child)->wait(timeout);
}

}  // namespace swarmcopy::test
