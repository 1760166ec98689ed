#include "swarmcopy/harness/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "swarmcopy/util/unique_fd.h"

extern char** environ;

namespace swarmcopy::harness {
namespace {

using Clock = std::chrono::steady_clock;
using util::UniqueFd;

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) {
    if (!text.empty()) text += ' ';
    text += arg;
  }
  return text;
}

std::unexpected<api::Error> os_error(std::string what, int error_number, std::string file = {}) {
  return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                   what + ": " + std::strerror(error_number), error_number, std::move(file),
                   api::Protocol::kLocal);
}

}  // namespace

api::Result<std::string> find_program(const std::string& name) {
  if (name.empty()) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                     "empty program name");
  }
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return os_error("cannot execute " + name, errno, name);
  }
  std::string dirs;
  if (const char* path = std::getenv("PATH"); path != nullptr) dirs = path;
  dirs += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::string_view rest(dirs);
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = std::string(dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  std::string hint = name == "ip" || name == "tc" ? " (Debian package iproute2)" : "";
  return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kNotFound,
                   name + " not found in PATH, /usr/sbin or /sbin" + hint, ENOENT, name,
                   api::Protocol::kLocal);
}

api::Result<CommandResult> run_command(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout) {
  if (argv.empty()) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument, "empty command");
  }
  auto program = find_program(argv[0]);
  if (!program) return std::unexpected(program.error());

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> storage = argv;
  std::vector<char*> child_argv;
  for (auto& arg : storage) child_argv.push_back(arg.data());
  child_argv.push_back(nullptr);

  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) return os_error("pipe2", errno);
  UniqueFd out_read(out_pipe[0]);
  UniqueFd out_write(out_pipe[1]);
  if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) return os_error("pipe2", errno);
  UniqueFd err_read(err_pipe[0]);
  UniqueFd err_write(err_pipe[1]);
  UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_in) return os_error("open /dev/null", errno, "/dev/null");

  const pid_t pid = ::fork();
  if (pid < 0) return os_error("fork", errno);
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(null_in.get(), STDIN_FILENO);
    ::dup2(out_write.get(), STDOUT_FILENO);
    ::dup2(err_write.get(), STDERR_FILENO);
    ::execve(program->c_str(), child_argv.data(), environ);
    ::_exit(127);
  }
  out_write.reset();
  err_write.reset();

  CommandResult result;
  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  // Both pipes are drained together: a program that fills one while we block on the other
  // would never finish.
  while (out_read || err_read) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    std::array<pollfd, 2> fds{pollfd{out_read.get(), POLLIN, 0}, pollfd{err_read.get(), POLLIN, 0}};
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (ready < 0 && errno != EINTR) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      std::array<char, 4096> buffer;
      const ssize_t got = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buffer.data(), static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        (i == 0 ? out_read : err_read).reset();
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     command_line(argv) + ": still running after " +
                         std::to_string(timeout.count()) + " ms, killed",
                     ETIMEDOUT, *program, api::Protocol::kLocal);
  }
  result.exit_code = exit_code_of(status);
  return result;
}

api::Result<CommandResult> run_checked(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout) {
  auto result = run_command(argv, timeout);
  if (!result) return result;
  if (result->exit_code != 0) {
    std::string why = result->err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    if (why.empty()) why = "exit status " + std::to_string(result->exit_code);
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     command_line(argv) + ": " + why, result->exit_code, argv[0],
                     api::Protocol::kLocal);
  }
  return result;
}

}  // namespace swarmcopy::harness
