// ConnectOptions: how client::connect talks to swarmcopyd. Plain value type.
#pragma once

#include <chrono>

namespace swarmcopy::client {

struct ConnectOptions {
  // The longest one call may take, from connecting to the last byte of the answer; past it
  // the call fails with kUnavailable. Complete (fsync + rename) is the slowest call.
  std::chrono::milliseconds call_timeout{std::chrono::seconds(30)};
  // The administrator's view (uid 0 only; the daemon ignores it for others): jobs() lists
  // every user's jobs and callbacks may be set on them.
  bool all_users = false;
};

}  // namespace swarmcopy::client
