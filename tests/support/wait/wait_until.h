// wait_until: the one way a test waits for something another thread or process does. It polls
// `condition` until it holds or `timeout` passes: a fixed sleep would be too short on a loaded
// machine and needlessly long everywhere else. The poll interval only bounds how late the wait
// notices; the deadline bounds how long a broken test hangs. `condition` is checked once more
// after the last pause, so a wait never fails without a look at the deadline.
#pragma once

#include <chrono>
#include <thread>

namespace swarmcopy::test {

inline constexpr std::chrono::milliseconds kDefaultPollInterval{10};

// True as soon as `condition()` is; false when it is still false at the deadline.
template <class Condition>
bool wait_until(Condition&& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll_interval = kDefaultPollInterval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll_interval);
  }
}

// Runs `io` (a boost::asio::io_context the test drives itself) until `done()` holds or `limit`
// passed. False on timeout, or when nothing is left to run and `done()` still does not hold.
template <class IoContext, class Done>
bool run_until(IoContext& io, Done&& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    if (io.run_one_until(deadline) == 0 && io.stopped()) return done();
  }
  return true;
}

}  // namespace swarmcopy::test
