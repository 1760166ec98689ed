// Signals: SIGTERM, SIGINT and SIGHUP are blocked in every thread (block() runs before any
// thread starts, so threads inherit the mask) and taken synchronously by the main thread with
// wait(): no async signal handler, no self-pipe. SIGPIPE is ignored (a client hanging up
// mid-write is an error code, not a death).
#pragma once

#include <chrono>
#include <optional>

namespace swarmcopy::daemon {

enum class SignalEvent { kStop, kReload };

class Signals {
 public:
  // Blocks the signals in the calling thread (and every thread it starts later).
  static void block();
  // Waits up to `timeout` for one; nullopt when none came.
  static std::optional<SignalEvent> wait(std::chrono::milliseconds timeout);
};

}  // namespace swarmcopy::daemon
