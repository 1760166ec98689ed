// DaemonFetcher: hands one file to swarmcopyd (client::connect on Acquire::swarmcopy::Socket)
// as a FOREGROUND job — a person waits for apt — with apt's Expected-SHA256 as the file's
// identity and apt's Filename as its destination, waits for it, completes it and hashes the
// result for 201 URI Done. The daemon writes the file as the caller, so as the user the method
// runs as (apt's sandbox user, _apt).
//
// It never makes apt wait on something that may not end: each wait is a short poll of the job
// that also watches apt's stdin (the caller's `wait`), the job is given up when its bytes have
// not moved for Acquire::swarmcopy::StallTimeout, and any state but TRANSFERRED that the
// daemon reaches (ERROR, TRANSIENT_ERROR, CANCELLED), like any failed call, cancels the job and
// returns the reason, so that the caller fetches the file itself and apt sees exactly what its
// own http method would have given it. A daemon that cannot be reached, or does not answer a
// call within Acquire::swarmcopy::Timeout, is not asked again by this process (one apt run):
// a hung daemon costs apt one timeout, not one per package. Not thread-safe; one owner (the
// method's loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "swarmcopy/apt/acquire_request.h"
#include "swarmcopy/apt/fetch_result.h"
#include "swarmcopy/apt/method_config.h"

namespace swarmcopy::api {
class Manager;
}

namespace swarmcopy::apt {

class DaemonFetcher {
 public:
  // Waits up to the given time for news from apt; false when apt has gone (stdin closed).
  using Wait = std::function<bool(std::chrono::milliseconds)>;
  // 200 URI Start: the size the daemon will fetch.
  using OnStart = std::function<void(std::optional<std::uint64_t>)>;
  // 102 Status: the job's verified bytes so far, when they moved.
  using OnProgress = std::function<void(std::uint64_t)>;
  // 101 Log lines.
  using Log = std::function<void(const std::string&)>;

  DaemonFetcher(const MethodConfig& config, Log log);
  ~DaemonFetcher();
  DaemonFetcher(const DaemonFetcher&) = delete;
  DaemonFetcher& operator=(const DaemonFetcher&) = delete;

  // Whether this request is for the daemon: not an index file (apt says Index-File: a large
  // Packages.xz is the mirror's news, fetched directly as apt's http method would), an
  // Expected-SHA256, a known size of at least min_peer_file_size, and a daemon that has not
  // failed to answer.
  bool wants(const AcquireRequest& request) const;
  // The file through the daemon, or why not (then the caller fetches it itself).
  std::expected<FetchResult, std::string> fetch(const AcquireRequest& request,
                                                const OnStart& on_start,
                                                const OnProgress& on_progress, const Wait& wait);

 private:
  const MethodConfig& config_;
  Log log_;
  std::shared_ptr<api::Manager> manager_;  // connected on first use
  bool unreachable_ = false;               // a call found no daemon or timed out
};

}  // namespace swarmcopy::apt
