#include "daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace swarmcopy::test {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPoll{10};

}  // namespace

std::expected<std::unique_ptr<DaemonProcess>, std::string> DaemonProcess::spawn(
    DaemonOptions options) {
  std::vector<std::string> args = {SWARMCOPYD_BINARY};
  if (options.pass_socket) {
    args.push_back("--socket");
    args.push_back(options.socket.string());
  }
  if (!options.state_dir.empty()) {
    args.push_back("--state-dir");
    args.push_back(options.state_dir.string());
  }
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // The whole environment is built before fork: the child only calls async-signal-safe
  // functions until exec.
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    bool replaced = false;
    for (const auto& [name, value] : options.env)
      replaced = replaced || text.starts_with(name + "=");
    if (!replaced) env_strings.push_back(text);
  }
  for (const auto& [name, value] : options.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string log = options.log.string();
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDWR);
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || log_fd < 0) ::_exit(127);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  std::unique_ptr<DaemonProcess> process(new DaemonProcess());
  process->options_ = std::move(options);
  process->pid_ = pid;
  return process;
}

std::expected<std::unique_ptr<DaemonProcess>, std::string> DaemonProcess::start(
    DaemonOptions options) {
  const auto timeout = options.ready_timeout;
  auto process = spawn(std::move(options));
  if (!process) return process;
  if (auto ready = (*process)->wait_ready(timeout); !ready) return std::unexpected(ready.error());
  return process;
}

std::expected<void, std::string> DaemonProcess::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (!running()) return std::unexpected("swarmcopyd exited; its log:\n" + log_text());
    auto status = http_request(options_.socket, "GET", "/v1/status");
    if (status && status->status == 200) return {};
    if (SteadyClock::now() >= deadline) {
      return std::unexpected("swarmcopyd not ready in time; its log:\n" + log_text());
    }
    std::this_thread::sleep_for(kPoll);
  }
}

DaemonProcess::~DaemonProcess() {
  if (!reaped_) kill_now();
}

void DaemonProcess::send_signal(int signal_number) const {
  if (!reaped_) ::kill(pid_, signal_number);
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      reaped_ = true;
      return status;
    }
    if (SteadyClock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPoll);
  }
}

void DaemonProcess::kill_now() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

bool DaemonProcess::running() {
  if (reaped_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped_ = true;
    return false;
  }
  return true;
}

std::string DaemonProcess::log_text() const {
  std::ifstream in(options_.log);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace swarmcopy::test
