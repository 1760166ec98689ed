// ServerLimits: the server's reloadable limits, read by every session for each request and
// changed by SIGHUP. Atomics: any thread, no lock.
#pragma once

#include <atomic>
#include <cstdint>

namespace swarmcopy::daemon {

struct ServerLimits {
  std::atomic<std::uint64_t> max_request_bytes{1 << 20};
  std::atomic<std::uint32_t> io_timeout_seconds{30};
  std::atomic<std::uint32_t> max_connections{4096};
  std::atomic<std::uint32_t> event_queue_limit{1024};
};

}  // namespace swarmcopy::daemon
