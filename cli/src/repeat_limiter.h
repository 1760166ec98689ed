// RepeatLimiter: lets a recurring message through at most once per key per interval, so that
// an error the engine retries every few seconds for minutes is heard (its first occurrence at
// once, then again now and then) without flooding a log file or a terminal. Keys are whatever
// tells two messages apart (for errors: kind, code and file, not the text, which may carry a
// changing number). Memory stays bounded: keys not seen for an interval are forgotten. One
// thread.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace swarmcopy::cli {

class RepeatLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RepeatLimiter(Clock::duration interval) : interval_(interval) {}

  // True when `key` was not let through in the last interval (and records it as let through).
  bool admit(const std::string& key, Clock::time_point now);

 private:
  Clock::duration interval_;
  std::map<std::string, Clock::time_point> last_admitted_;
};

}  // namespace swarmcopy::cli
