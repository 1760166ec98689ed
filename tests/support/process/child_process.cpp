#include "process/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wait/wait_until.h"

extern char** environ;

namespace swarmcopy::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often a wait for the child's exit looks again; the waits themselves have deadlines.
constexpr std::chrono::milliseconds kExitPollInterval{5};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::chrono::milliseconds time_left(SteadyClock::time_point deadline) {
  return std::max(
      std::chrono::milliseconds(0),
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
}

bool removed(std::string_view entry, const std::vector<std::string>& env_removed) {
  const std::string_view name = entry.substr(0, entry.find('='));
  for (const std::string_view pattern : env_removed) {
    if (pattern.ends_with('*') ? name.starts_with(pattern.substr(0, pattern.size() - 1))
                               : name == pattern) {
      return true;
    }
  }
  return false;
}

// A program given a home (`--home DIR`, as swarmcopy get and cache take) is a machine of its
// own unless the test says otherwise: its own user state directory, DIR/.state (inside the
// home, so it goes with the test's directory). The homes of one
// test stand for several machines, yet they are one user's on one host, and a user's homes share
// their caches (util::user_cache_list_dir under XDG_STATE_HOME): without this a test's second
// "machine" would take the file from the first one's cache rather than over the network, and
// every test would add its homes to the list in our own ~/.local/state. A test that wants homes
// to share sets XDG_STATE_HOME itself.
std::optional<std::pair<std::string, std::string>> own_state_of_home(
    const std::vector<std::string>& args, const SpawnOptions& options) {
  for (const auto& [name, value] : options.env) {
    if (name == "XDG_STATE_HOME") return std::nullopt;
  }
  const auto home = std::find(args.begin(), args.end(), "--home");
  if (home == args.end() || home + 1 == args.end()) return std::nullopt;
  return std::pair<std::string, std::string>("XDG_STATE_HOME", *(home + 1) + "/.state");
}

// Our environment less `options.env_removed`, with `options.env` added or replacing.
std::vector<std::string> child_environment(const std::vector<std::string>& args,
                                           const SpawnOptions& given) {
  SpawnOptions options = given;
  if (auto state = own_state_of_home(args, given)) options.env.push_back(*state);
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (removed(text, options.env_removed)) continue;
    bool replaced = false;
    for (const auto& [name, value] : options.env) replaced |= text.starts_with(name + "=");
    if (!replaced) entries.emplace_back(text);
  }
  for (const auto& [name, value] : options.env) entries.push_back(name + "=" + value);
  return entries;
}

}  // namespace

std::expected<std::unique_ptr<ChildProcess>, std::string> ChildProcess::spawn(
    const std::vector<std::string>& args, const SpawnOptions& options) {
  if (args.empty()) return std::unexpected(std::string("spawn: no program"));
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> arg_storage = args;
  std::vector<char*> argv;
  for (auto& arg : arg_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage = child_environment(args, options);
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string dir = options.cwd.string();

  // O_CLOEXEC everywhere: other children (nginx, another engine) must not inherit the write
  // ends, or we would never see EOF on them. dup2 clears the flag on the child's 1 and 2.
  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  int log_fd = -1;
  const auto close_all = [&] {
    for (int* fd : {&out_pipe[0], &out_pipe[1], &err_pipe[0], &err_pipe[1], &log_fd}) close_fd(*fd);
  };
  if (!options.log.empty()) {
    log_fd = ::open(options.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
      return std::unexpected("open " + options.log.string() + ": " + std::strerror(errno));
  } else if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0 || ::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    const std::string failure = std::string("pipe2: ") + std::strerror(errno);
    close_all();
    return std::unexpected(failure);
  }
  const int child_out = log_fd >= 0 ? log_fd : out_pipe[1];
  const int child_err = log_fd >= 0 ? log_fd : err_pipe[1];

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string failure = std::string("fork: ") + std::strerror(errno);
    close_all();
    return std::unexpected(failure);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(child_out, STDOUT_FILENO);
    ::dup2(child_err, STDERR_FILENO);
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  std::unique_ptr<ChildProcess> child(new ChildProcess());  // private constructor
  child->pid_ = pid;
  child->out_fd_ = std::exchange(out_pipe[0], -1);
  child->err_fd_ = std::exchange(err_pipe[0], -1);
  close_all();  // the child's ends, or the log
  return child;
}

ChildProcess::~ChildProcess() {
  kill();
  close_fd(out_fd_);
  close_fd(err_fd_);
}

void ChildProcess::send_signal(int signal_number) const {
  if (!status_) ::kill(pid_, signal_number);  // once reaped, the pid may be someone else's
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
    const auto left = time_left(deadline);
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
  // Read until both pipes are closed (the child exited, or closed them).
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    std::array<pollfd, 2> fds{{{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}}};
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(time_left(deadline).count()));
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
  // With the pipes closed the exit follows at once (with a log, it is all there is to wait
  // for); bounded either way.
  if (!result.timed_out &&
      !wait_until([this] { return reap_if_exited(); }, time_left(deadline), kExitPollInterval)) {
    result.timed_out = true;
  }
  if (result.timed_out) kill();
  result.exit_code = status_ ? exit_code_of(*status_) : -1;
  return result;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  wait_until([this] { return reap_if_exited(); }, timeout, kExitPollInterval);
  return status_;
}

bool ChildProcess::running() { return !reap_if_exited(); }

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (status_) return -1;
  send_signal(SIGTERM);
  if (!wait_exit(grace)) kill();
  return status_ ? exit_code_of(*status_) : -1;
}

void ChildProcess::kill() {
  if (status_ || pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  pid_t reaped = -1;
  while ((reaped = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  status_ = reaped == pid_ ? status : W_EXITCODE(0, SIGKILL);  // reaped by someone else
}

bool ChildProcess::reap_if_exited() {
  if (status_) return true;
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
  status_ = status;
  return true;
}

ChildResult run_child(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      std::chrono::milliseconds timeout) {
  auto child = ChildProcess::spawn(args, {.cwd = cwd});
  if (!child) {
    ChildResult failed;
    failed.err = child.error();
    return failed;
  }
  return (*child)->wait(timeout);
}

}  // namespace swarmcopy::test
