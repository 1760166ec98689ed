// ServerLimits: the server's reloadable limits, read by every session for each request and
// changed by SIGHUP. Atomics: any thread, no lock.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace swarmcopy::daemon {

struct ServerLimits {
  std::atomic<std::uint64_t> max_request_bytes{1 << 20};
  std::atomic<std::uint32_t> io_timeout_seconds{30};
  std::atomic<std::uint32_t> max_connections{4096};
  // One user's connections at most (root and the daemon's own user: no own limit); the last
  // admin_reserve(max_connections) connections are kept for them.
  std::atomic<std::uint32_t> max_connections_per_user{64};
  // An event stream that delivered nothing this long is closed (clients reconnect and catch up).
  std::atomic<std::uint32_t> event_idle_seconds{300};
  std::atomic<std::uint32_t> event_queue_limit{1024};
};

// Connections only root and the daemon's own user may use: one user holding every connection
// must not lock the administrator out.
inline std::uint32_t admin_reserve(std::uint32_t max_connections) {
  return max_connections >= 8 ? std::min<std::uint32_t>(16, max_connections / 8) : 0;
}

}  // namespace swarmcopy::daemon
