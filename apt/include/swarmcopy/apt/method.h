// Method: apt's transport method swarmcopy+http / swarmcopy+https (apt's doc/method.dbk). It
// says 100 Capabilities, reads apt's 601 Configuration (then drops root for apt's sandbox user,
// as apt's own methods do) and serves 600 URI Acquire requests one after another in the order
// they came (apt pipelines them: they queue in the reader while one is served). A file with an
// Expected-SHA256 and at least min_peer_file_size bytes goes to swarmcopyd (DaemonFetcher);
// anything else, and anything the daemon cannot do, is fetched here (HttpFetcher), so apt gets
// what its http method would give it. A message that makes no sense gets 400 URI Failure (when
// it names a URI) or 401 General Failure, and the method goes on.
//
// Single-threaded: run() owns the loop; input and output are file descriptors (stdin/stdout in
// the binary, pipes in tests). `stop`, when given, is a flag a signal handler sets (SIGINT,
// SIGTERM: apt interrupted): every wait sees it within a poll interval, a daemon job in flight
// is cancelled, a direct transfer aborted, and run() returns 100 as apt's methods exit then.
#pragma once

#include <chrono>
#include <csignal>
#include <memory>
#include <string>

#include "swarmcopy/apt/message.h"
#include "swarmcopy/apt/message_reader.h"
#include "swarmcopy/apt/method_config.h"

namespace swarmcopy::apt {

class DaemonFetcher;
class HttpFetcher;
struct AcquireRequest;

class Method {
 public:
  Method(int in_fd, int out_fd, const volatile std::sig_atomic_t* stop = nullptr);
  ~Method();
  Method(const Method&) = delete;
  Method& operator=(const Method&) = delete;

  // Runs until apt closes stdin; the process exit code (0, or 100 when privileges could not be
  // dropped, as apt's methods exit).
  int run();

 private:
  void send(const Message& message);
  // Waits up to `timeout` for input and reads what came; false once apt has closed stdin or a
  // stop was asked for.
  bool pump(std::chrono::milliseconds timeout);
  bool configure(const Message& message);
  void acquire(const Message& message);
  void fetch_directly(const AcquireRequest& request);
  void log(const std::string& text);

  int in_fd_;
  int out_fd_;
  bool stopped() const { return stop_ != nullptr && *stop_ != 0; }

  bool eof_ = false;
  const volatile std::sig_atomic_t* stop_;
  MessageReader reader_;
  MethodConfig config_;
  std::unique_ptr<HttpFetcher> http_;
  std::unique_ptr<DaemonFetcher> daemon_;
};

// As apt's DropPrivileges: for root, with a sandbox user configured, switch to that user (its
// group, no supplementary groups) for good. Empty error on success.
std::string drop_privileges(const MethodConfig& config);

}  // namespace swarmcopy::apt
