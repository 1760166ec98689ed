#include "progress_display.h"

#include <string>

namespace swarmcopy::lab {

ProgressDisplay::ProgressDisplay(std::FILE* out, bool enabled, bool terminal)
    : out_(out), enabled_(enabled), terminal_(terminal) {}

ProgressDisplay::~ProgressDisplay() {
  if (line_open_) std::fputc('\n', out_);
}

void ProgressDisplay::update(const ProgressSnapshot& snapshot, Clock::time_point now) {
  if (!enabled_) return;
  if (!first_update_) first_update_ = now;
  if (terminal_) {
    // Drawn at once, then redrawn at most every interval: the loop polls faster than that.
    if (last_shown_ && now - *last_shown_ < kTerminalInterval) return;
  } else if (now - last_shown_.value_or(*first_update_) < kPlainInterval) {
    // A plain line waits one interval into the round: a shorter round gets only its last.
    return;
  }
  last_shown_ = now;
  show(snapshot);
}

void ProgressDisplay::finish(const ProgressSnapshot& snapshot) {
  if (!enabled_) return;
  show(snapshot);
  if (line_open_) {
    std::fputc('\n', out_);
    line_open_ = false;
  }
  std::fflush(out_);
}

void ProgressDisplay::show(const ProgressSnapshot& snapshot) {
  const std::string text =
      format_progress_line(snapshot, terminal_ ? ProgressForm::kTerminal : ProgressForm::kPlain);
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
  line_open_ = terminal_;
}

}  // namespace swarmcopy::lab
