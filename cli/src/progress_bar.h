// ProgressBar: the one-line status `swarmcopy get` redraws on a terminal: percent, a bar,
// bytes, rate, whether the origin ignores Range (so a resume starts from byte 0), ETA, and the
// state when it is not TRANSFERRING (with the error while the
// engine retries a TRANSIENT_ERROR). Redrawn in place with '\r', cut to the terminal width so
// it never wraps. Disabled, it draws nothing. Used by one thread.
#pragma once

#include <chrono>
#include <string>

#include "rate_meter.h"
#include "swarmcopy/api/job_info.h"

namespace swarmcopy::cli {

class ProgressBar {
 public:
  // Draws on `fd` (stderr) when `enabled`: the caller decides (a terminal, and not -q).
  ProgressBar(int fd, bool enabled) : fd_(fd), enabled_(enabled) {}
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() { finish(); }

  void update(const api::JobInfo& info, RateMeter::Clock::time_point now);
  // Ends the bar's line so that what follows starts on a fresh one. Idempotent.
  void finish();

  // The line update() draws, without control characters, at most `width` columns; exposed
  // for tests.
  static std::string render(const api::JobInfo& info, double rate, std::size_t width);

 private:
  void draw(const std::string& line);
  std::size_t terminal_width() const;

  int fd_;
  bool enabled_;
  bool drawn_ = false;
  RateMeter meter_;
};

}  // namespace swarmcopy::cli
