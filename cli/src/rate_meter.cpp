#include "rate_meter.h"

#include <cmath>

namespace swarmcopy::cli {

void RateMeter::add(Clock::time_point now, std::uint64_t bytes) {
  if (!samples_.empty() && bytes < samples_.back().bytes) samples_.clear();
  samples_.push_back({now, bytes});
  // Keep one sample older than the window so that the window is always fully covered.
  while (samples_.size() > 2 && now - samples_[1].time >= window_) samples_.pop_front();
}

double RateMeter::rate() const {
  if (samples_.size() < 2) return 0;
  const auto& first = samples_.front();
  const auto& last = samples_.back();
  const std::chrono::duration<double> elapsed = last.time - first.time;
  if (elapsed < std::chrono::milliseconds(100)) return 0;
  return static_cast<double>(last.bytes - first.bytes) / elapsed.count();
}

std::optional<std::chrono::seconds> RateMeter::eta(std::uint64_t remaining) const {
  const double bytes_per_second = rate();
  if (bytes_per_second <= 0) return std::nullopt;
  return std::chrono::seconds(
      static_cast<std::int64_t>(std::ceil(static_cast<double>(remaining) / bytes_per_second)));
}

}  // namespace swarmcopy::cli
