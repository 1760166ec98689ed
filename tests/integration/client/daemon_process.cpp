#include "daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "swarmcopy/client/daemon_status.h"

extern char** environ;

namespace swarmcopy::test {
namespace {

using Clock = std::chrono::steady_clock;

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::expected<std::unique_ptr<DaemonProcess>, std::string> DaemonProcess::start(
    DaemonOptions options) {
  std::unique_ptr<DaemonProcess> daemon(new DaemonProcess());
  std::error_code ec;
  const auto runtime = options.home / "run";
  std::filesystem::create_directories(runtime, ec);
  std::filesystem::create_directories(options.socket.parent_path(), ec);
  daemon->log_ =
      options.state_dir.parent_path() / (options.state_dir.filename().string() + ".swarmcopyd.log");

  // Prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = {
      options.program.string(), "--user",      "--socket",
      options.socket.string(),  "--state-dir", options.state_dir.string()};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("HOME=") || text.starts_with("XDG_") || text.starts_with("SWARMCOPY_")) {
      continue;
    }
    env.emplace_back(text);
  }
  env.push_back("HOME=" + options.home.string());
  env.push_back("XDG_RUNTIME_DIR=" + runtime.string());
  env.push_back("XDG_CONFIG_HOME=" + (options.home / "config").string());
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int log_fd = ::open(daemon->log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return std::unexpected("cannot open " + daemon->log_.string());

  const auto started = Clock::now();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return std::unexpected(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  daemon->pid_ = pid;
  daemon->options_ = std::move(options);

  const auto deadline = started + daemon->options_.start_timeout;
  while (Clock::now() < deadline) {
    if (client::daemon_status(daemon->options_.socket, std::chrono::seconds(1))) {
      daemon->start_time_ =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      return daemon;
    }
    if (!daemon->running()) {
      return std::unexpected("swarmcopyd exited at start:\n" + daemon->log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::unexpected("swarmcopyd did not answer in time:\n" + daemon->log());
}

DaemonProcess::~DaemonProcess() { kill(); }

bool DaemonProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
  if (reaped == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int DaemonProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + grace;
  int status = 0;
  while (Clock::now() < deadline) {
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      pid_ = -1;
      return exit_code_of(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return exit_code_of(status);
}

void DaemonProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string DaemonProcess::log() const {
  std::ifstream in(log_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::uint64_t DaemonProcess::rss_bytes() const {
  if (pid_ <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6)) * 1024;  // kB
  }
  return 0;
}

}  // namespace swarmcopy::test
