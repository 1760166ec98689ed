#include "daemon_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "swarmcopy/client/daemon_status.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::cli {
namespace {

using Clock = std::chrono::steady_clock;

api::Error launch_error(std::string message, int code, const std::filesystem::path& file) {
  return api::Error{api::ErrorContext::kGeneralQueueManager,
                    api::ErrorKind::kUnavailable,
                    code,
                    std::move(message),
                    file.string(),
                    api::Protocol::kLocal};
}

bool is_executable(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

bool answers(const std::filesystem::path& socket) {
  return client::daemon_status(socket, std::chrono::seconds(2)).has_value();
}

// The last non-empty line of the daemon's log: usually why it did not start.
std::string last_log_line(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// Holds an exclusive flock on a file for its life.
class StartLock {
 public:
  static api::Result<StartLock> acquire(const std::filesystem::path& file,
                                        Clock::time_point deadline) {
    util::UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return std::unexpected(launch_error("cannot open the daemon start lock", errno, file));
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        return std::unexpected(launch_error("cannot lock the daemon start lock", errno, file));
      }
      if (Clock::now() >= deadline) {
        return std::unexpected(
            launch_error("another swarmcopy is starting the daemon and did not finish", 0, file));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return StartLock(std::move(fd));
  }

 private:
  explicit StartLock(util::UniqueFd fd) : fd_(std::move(fd)) {}
  util::UniqueFd fd_;  // closing it releases the lock
};

// fork, setsid, fork again (so that the daemon is nobody's child here and never a zombie of
// ours), exec. Returns the errno of a failed exec, 0 when the exec happened.
api::Result<void> spawn_detached(const std::filesystem::path& program,
                                 const std::vector<std::string>& args,
                                 const std::filesystem::path& log) {
  // Everything the children need is made before fork: after it, only async-signal-safe calls.
  std::vector<std::string> storage = args;
  std::vector<char*> argv;
  for (auto& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  util::UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  util::UniqueFd log_fd(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!null_fd || !log_fd)
    return std::unexpected(launch_error("cannot open the daemon log", errno, log));
  int report[2] = {-1, -1};  // the grandchild writes exec's errno here; EOF means exec worked
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return std::unexpected(launch_error("pipe2 failed", errno, program));
  }
  util::UniqueFd report_read(report[0]);
  util::UniqueFd report_write(report[1]);

  const pid_t child = ::fork();
  if (child < 0) return std::unexpected(launch_error("fork failed", errno, program));
  if (child == 0) {
    ::setsid();
    const pid_t grandchild = ::fork();
    if (grandchild != 0) ::_exit(grandchild < 0 ? 1 : 0);
    // The CLI blocks SIGINT/SIGTERM (JobWaiter) and ignores SIGPIPE; a daemon must start with
    // neither, or it could never be stopped by a plain kill.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(null_fd.get(), STDIN_FILENO);
    ::dup2(log_fd.get(), STDOUT_FILENO);
    ::dup2(log_fd.get(), STDERR_FILENO);
    (void)!::chdir("/");
    ::execv(program.c_str(), argv.data());
    const int error = errno;
    (void)!::write(report_write.get(), &error, sizeof error);
    ::_exit(127);
  }
  report_write.reset();
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int exec_error = 0;
  ssize_t n = -1;
  do {
    n = ::read(report_read.get(), &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_error)) {
    return std::unexpected(launch_error(
        std::string("cannot run swarmcopyd: ") + std::strerror(exec_error), exec_error, program));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::unexpected(launch_error("cannot start swarmcopyd (fork failed)", 0, program));
  }
  return {};
}

}  // namespace

std::optional<std::filesystem::path> find_daemon_program() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto beside = self.parent_path() / "swarmcopyd";
    if (is_executable(beside)) return beside;
  }
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  const std::string dirs(path);
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto end = dirs.find(':', start);
    const std::string dir =
        dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty()) {
      const auto candidate = std::filesystem::path(dir) / "swarmcopyd";
      if (is_executable(candidate)) return candidate;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return std::nullopt;
}

api::Result<void> start_user_daemon(const std::filesystem::path& socket,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const auto dir = socket.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return std::unexpected(
        launch_error("cannot create the daemon's directory: " + ec.message(), ec.value(), dir));
  }
  ::chmod(dir.c_str(), 0700);  // the socket's directory is the user's alone

  auto lock = StartLock::acquire(dir / "swarmcopyd.start.lock", deadline);
  if (!lock) return std::unexpected(lock.error());
  // Another swarmcopy may have started it while we waited for the lock.
  if (answers(socket)) return {};

  const auto program = find_daemon_program();
  if (!program) {
    return std::unexpected(launch_error(
        "cannot find swarmcopyd next to swarmcopy or in $PATH to start it", ENOENT, socket));
  }
  const auto log = dir / "swarmcopyd.log";
  spdlog::info("starting {} for {} (log: {})", program->string(), socket.string(), log.string());
  if (auto spawned =
          spawn_detached(*program, {program->string(), "--user", "--socket", socket.string()}, log);
      !spawned) {
    return spawned;
  }
  while (Clock::now() < deadline) {
    if (answers(socket)) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string message =
      "swarmcopyd did not answer within " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
      " s of starting";
  if (const auto why = last_log_line(log); !why.empty()) message += " (" + why + ")";
  return std::unexpected(launch_error(std::move(message), 0, log));
}

}  // namespace swarmcopy::cli
