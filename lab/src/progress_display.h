// ProgressDisplay: a round's live progress on stderr, fed by the round loop's own polls (it
// reads nothing itself). On a terminal one line is redrawn in place, at most every
// kTerminalInterval; otherwise (a log file, a pipe, a CI job) a plain line every kPlainInterval,
// so a long run's log stays short. Either way a last line when the round ends, whatever its
// speed. Disabled (-q): prints nothing. One thread (the lab's).
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>

#include "progress_line.h"

namespace swarmcopy::lab {

class ProgressDisplay {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kTerminalInterval = std::chrono::milliseconds(200);
  static constexpr auto kPlainInterval = std::chrono::seconds(5);

  // `terminal`: whether `out` is one (the caller asks isatty: a test can say no).
  ProgressDisplay(std::FILE* out, bool enabled, bool terminal);
  // Leaves a drawn terminal line standing, ended by a newline.
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // The state at `now`; shown if the form's interval has passed since the last line.
  void update(const ProgressSnapshot& snapshot, Clock::time_point now);
  // The round's final state, always shown (when enabled).
  void finish(const ProgressSnapshot& snapshot);

 private:
  void show(const ProgressSnapshot& snapshot);

  std::FILE* out_;
  bool enabled_;
  bool terminal_;
  bool line_open_ = false;  // a terminal line is drawn without its newline
  std::optional<Clock::time_point> last_shown_;
  std::optional<Clock::time_point> first_update_;
};

}  // namespace swarmcopy::lab
