#include "bandwidth_governor.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace swarmcopy::engine {
namespace {

// A window shorter than this says little about the link (a burst from a buffer).
constexpr auto kMinWindow = std::chrono::milliseconds(500);
constexpr int kWindowsToMeasure = 3;

}  // namespace

BandwidthGovernor::BandwidthGovernor(const DownloadCaps& caps, std::uint64_t measured,
                                     Clock::time_point now, int hour)
    : caps_(caps), measured_(measured), last_tick_(now) {
  set_rates(now, hour);
}

std::shared_ptr<util::ByteBudget> BandwidthGovernor::budget_for(bool foreground,
                                                                std::uint64_t job_cap) const {
  const auto& cls = foreground ? foreground_ : background_;
  if (job_cap == 0) return cls;
  return std::make_shared<util::ByteBudget>(job_cap, cls);
}

void BandwidthGovernor::apply(const DownloadCaps& caps, Clock::time_point now, int hour) {
  caps_ = caps;
  set_rates(now, hour);
}

void BandwidthGovernor::tick(Clock::time_point now, int hour) {
  const auto taken = foreground_->taken() + background_->taken();
  if (now - last_tick_ >= kMinWindow) {
    const double seconds = std::chrono::duration<double>(now - last_tick_).count();
    const auto rate =
        static_cast<std::uint64_t>(static_cast<double>(taken - taken_at_tick_) / seconds);
    if (rate > 0) {
      peak_ = std::max(peak_, rate);
      // A percentage cap needs the link's speed: a few seconds of download at full speed first
      // (TCP's slow start makes the first one understate it).
      if (++busy_windows_ >= kWindowsToMeasure) measured_ = std::max(measured_, peak_);
    }
    taken_at_tick_ = taken;
    last_tick_ = now;
  }
  set_rates(now, hour);
}

void BandwidthGovernor::set_rates(Clock::time_point now, int hour) {
  for (const bool foreground : {true, false}) {
    auto cap = effective_cap(caps_, foreground, hour, measured_);
    auto& current = foreground ? foreground_cap_ : background_cap_;
    if (cap == current) continue;
    if (!cap.rule.empty()) spdlog::info("download cap: {}", cap.rule);
    (foreground ? foreground_ : background_)->set_rate(cap.bytes_per_second, now);
    current = std::move(cap);
  }
}

}  // namespace swarmcopy::engine
