// DaemonProcess: the real swarmcopyd binary as a child of the test, its stderr appended to a
// log file, killed if the test process dies (PR_SET_PDEATHSIG) and killed and reaped when the
// object dies, so a failing test leaves no daemon behind. start() returns once the daemon
// answers GET /v1/status on its socket (bounded). Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http_connection.h"

namespace swarmcopy::test {

struct DaemonOptions {
  std::filesystem::path socket;     // where it will listen (readiness is checked there)
  std::filesystem::path state_dir;  // passed as --state-dir unless empty
  std::filesystem::path log;        // its stderr, appended
  std::vector<std::string> args;    // more arguments
  std::vector<std::pair<std::string, std::string>> env;  // added to or replacing ours
  bool pass_socket = true;                               // add --socket (false for --user defaults)
  std::chrono::milliseconds ready_timeout{20000};
};

class DaemonProcess {
 public:
  static std::expected<std::unique_ptr<DaemonProcess>, std::string> start(DaemonOptions options);
  // Starts without waiting for readiness (for daemons expected to refuse to start).
  static std::expected<std::unique_ptr<DaemonProcess>, std::string> spawn(DaemonOptions options);

  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  ~DaemonProcess();

  pid_t pid() const { return pid_; }
  const DaemonOptions& options() const { return options_; }
  void send_signal(int signal_number) const;
  // The wait status once it exited within `timeout`, else nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // kill -9 and reap.
  void kill_now();
  bool running();
  std::string log_text() const;
  // Waits until GET /v1/status answers 200, or the child exits, or the timeout passes.
  std::expected<void, std::string> wait_ready(std::chrono::milliseconds timeout);

 private:
  DaemonProcess() = default;
  DaemonOptions options_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace swarmcopy::test
