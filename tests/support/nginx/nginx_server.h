// NginxServer: a real nginx started by a test, on 127.0.0.1 and a free port, serving a
// docroot; stopped, reaped and its files removed when the object dies, whether the test passed
// or not. Each server has its own prefix directory (a temp dir: configuration, logs, pid file,
// nginx's temp paths), so tests never touch the system's nginx or each other.
//
// nginx runs in the foreground (daemon off) with master_process off: one process, our child
// (a ChildProcess), which is simple to stop and cannot switch to another user that would not be
// allowed to read the test's files. It is killed if the thread that started it dies
// (PR_SET_PDEATHSIG), so a crashed test leaves no server behind.
//
// Set SWARMCOPY_KEEP_TEST_DIRS=1 to keep the prefix (its logs) for a post-mortem.
// Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nginx/access_log_entry.h"
#include "nginx/nginx_options.h"
#include "process/child_process.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {

class NginxServer {
 public:
  // Starts nginx and returns once it accepts connections. Retries with another port when the
  // one picked was taken in the meantime. The error says why, with nginx's error log.
  static std::expected<std::unique_ptr<NginxServer>, std::string> start(NginxOptions options = {});

  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;
  ~NginxServer();

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT/" + path (a leading '/' in path is optional).
  std::string url(std::string_view path) const;
  const std::filesystem::path& docroot() const { return docroot_; }
  const std::filesystem::path& prefix() const { return prefix_.path(); }
  pid_t pid() const { return process_ ? process_->pid() : -1; }

  // The requests logged so far, oldest first.
  std::vector<AccessLogEntry> access_log() const;
  // Waits (bounded) until at least `count` requests are logged, then returns the log.
  std::vector<AccessLogEntry> wait_for_access_log(std::size_t count,
                                                  std::chrono::milliseconds timeout) const;
  // Waits (bounded) until nginx holds no connection open (established, or closed by the client
  // but not yet by nginx): nginx logs a request when it finishes it, so afterwards the access log
  // has every request made so far (a killed client's too, also under limit_rate). False at the
  // deadline.
  bool wait_until_idle(std::chrono::milliseconds timeout) const;
  // The sum of $body_bytes_sent over every logged request for `uri` ("/file.bin").
  std::uint64_t body_bytes_sent(std::string_view uri) const;
  std::string error_log() const;

  // Stops nginx now (SIGTERM, SIGKILL after a short grace) and reaps it. Idempotent.
  void stop();

 private:
  explicit NginxServer(TestDir prefix);

  TestDir prefix_;  // declared first: removed after nginx has stopped
  std::filesystem::path docroot_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;  // null once stopped
};

}  // namespace swarmcopy::test
