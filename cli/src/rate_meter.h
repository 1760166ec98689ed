// RateMeter: the recent transfer rate from samples of a growing byte count, averaged over a
// sliding window so that the rate and the ETA on the progress bar do not jitter with every
// checkpoint the engine commits. Not thread-safe: one owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace swarmcopy::cli {

class RateMeter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateMeter(std::chrono::milliseconds window = std::chrono::seconds(5))
      : window_(window) {}

  // `bytes` is the total so far; a smaller value than before (a restart) starts over.
  void add(Clock::time_point now, std::uint64_t bytes);
  // Bytes per second over the window; 0 until two samples are at least 100 ms apart.
  double rate() const;
  // Time to move `remaining` more bytes at rate(); nullopt while the rate is 0.
  std::optional<std::chrono::seconds> eta(std::uint64_t remaining) const;

 private:
  struct Sample {
    Clock::time_point time;
    std::uint64_t bytes;
  };
  std::chrono::milliseconds window_;
  std::deque<Sample> samples_;
};

}  // namespace swarmcopy::cli
