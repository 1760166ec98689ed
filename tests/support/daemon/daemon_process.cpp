#include "daemon/daemon_process.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

// How often wait_ready asks again: quick starts are what most tests wait for.
constexpr std::chrono::milliseconds kReadyPollInterval{10};

// Whether the daemon at `socket` answers GET /v1/status with 200. Raw HTTP, on purpose: the
// daemon's tests must not need the client library to start their daemon.
bool status_answers(const std::filesystem::path& socket) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket.string();
  bool ok = path.size() < sizeof address.sun_path;
  if (ok) std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  // A daemon that accepts but never answers must not hang the wait.
  const timeval limit{1, 0};
  ok = ok && ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) == 0 &&
       ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) == 0 &&
       ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  constexpr std::string_view kRequest =
      "GET /v1/status HTTP/1.1\r\nHost: swarmcopy\r\nConnection: close\r\n\r\n";
  ok = ok && ::send(fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) ==
                 static_cast<ssize_t>(kRequest.size());
  std::string head;
  char buffer[256];
  while (ok && head.find("\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    head.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return ok && head.starts_with("HTTP/1.1 200 ");
}

std::vector<std::string> command_line(const DaemonOptions& options) {
  std::vector<std::string> args = {options.program.empty() ? SWARMCOPYD_PATH
                                                           : options.program.string()};
  if (options.pass_socket) args.insert(args.end(), {"--socket", options.socket.string()});
  if (!options.state_dir.empty()) {
    args.insert(args.end(), {"--state-dir", options.state_dir.string()});
  }
  args.insert(args.end(), options.args.begin(), options.args.end());
  return args;
}

SpawnOptions spawn_options(const DaemonOptions& options) {
  SpawnOptions spawn;
  spawn.log = options.log;
  if (!options.home.empty()) {
    spawn.env_removed = {"HOME", "XDG_*", "SWARMCOPY_*"};
    spawn.env = {{"HOME", options.home.string()},
                 {"XDG_RUNTIME_DIR", (options.home / "run").string()},
                 {"XDG_CONFIG_HOME", (options.home / "config").string()}};
  }
  spawn.env.insert(spawn.env.end(), options.env.begin(), options.env.end());
  return spawn;
}

}  // namespace

std::expected<std::unique_ptr<DaemonProcess>, std::string> DaemonProcess::spawn(
    DaemonOptions options) {
  if (options.log.empty()) return std::unexpected(std::string("DaemonOptions::log is not set"));
  if (!options.home.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.home / "run", ec);
    if (ec)
      return std::unexpected("mkdir " + (options.home / "run").string() + ": " + ec.message());
  }
  auto child = ChildProcess::spawn(command_line(options), spawn_options(options));
  if (!child) return std::unexpected(child.error());
  std::unique_ptr<DaemonProcess> daemon(new DaemonProcess());  // private constructor
  daemon->options_ = std::move(options);
  daemon->child_ = std::move(*child);
  return daemon;
}

std::expected<std::unique_ptr<DaemonProcess>, std::string> DaemonProcess::start(
    DaemonOptions options) {
  const auto timeout = options.ready_timeout;
  auto daemon = spawn(std::move(options));
  if (!daemon) return daemon;
  if (auto ready = (*daemon)->wait_ready(timeout); !ready) return std::unexpected(ready.error());
  return daemon;
}

std::expected<void, std::string> DaemonProcess::wait_ready(std::chrono::milliseconds timeout) {
  bool exited = false;
  const bool answered = wait_until(
      [&] {
        if (status_answers(options_.socket)) return true;
        exited = !running();
        return exited;
      },
      timeout, kReadyPollInterval);
  if (exited) return std::unexpected("swarmcopyd exited; its log:\n" + log_text());
  if (!answered) return std::unexpected("swarmcopyd not ready in time; its log:\n" + log_text());
  return {};
}

std::string DaemonProcess::log_text() const {
  std::ifstream in(options_.log);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace swarmcopy::test
