// DaemonProcess: the real swarmcopyd, run by a test as its child: `swarmcopyd --user --socket
// SOCKET --state-dir STATE` plus options, in an environment of its own (HOME, XDG dirs under
// the test's directory, so no user config is read), stdout and stderr to a log file. start()
// returns once the socket answers (GET /v1/status). The child dies with the test thread
// (PR_SET_PDEATHSIG) and is killed and reaped when the object dies, pass or fail. Not
// thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace swarmcopy::test {

struct DaemonOptions {
  std::filesystem::path program;    // build/bin/swarmcopyd
  std::filesystem::path socket;     // the socket to listen on
  std::filesystem::path state_dir;  // the job store
  std::filesystem::path home;       // HOME, XDG_RUNTIME_DIR (home/run), XDG_CONFIG_HOME
  // Extra options ("--max-jobs-per-user", "20000"); by default tests get no request rate
  // limit and quick retries.
  std::vector<std::string> args = {"--requests-per-second", "0", "--min-retry-delay-ms", "200"};
  std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
};

class DaemonProcess {
 public:
  static std::expected<std::unique_ptr<DaemonProcess>, std::string> start(DaemonOptions options);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  pid_t pid() const { return pid_; }
  const DaemonOptions& options() const { return options_; }
  // How long from exec to the first answer of the socket.
  std::chrono::milliseconds start_time() const { return start_time_; }
  // SIGTERM, then SIGKILL after `grace`; reaps. Returns the exit status (128 + signal when
  // killed). Idempotent (-1 once stopped).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL at once, as a crash; reaps.
  void kill();
  bool running();
  std::string log() const;
  // The daemon's resident set (VmRSS from /proc/PID/status), bytes; 0 if unknown.
  std::uint64_t rss_bytes() const;

 private:
  DaemonProcess() = default;

  DaemonOptions options_;
  pid_t pid_ = -1;
  std::filesystem::path log_;
  std::chrono::milliseconds start_time_{0};
};

}  // namespace swarmcopy::test
