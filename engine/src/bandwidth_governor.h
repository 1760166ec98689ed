// BandwidthGovernor: the download caps of an engine's two classes of jobs (FOREGROUND, and every
// background priority). Each class has one ByteBudget that all its jobs' origin requests and
// swarms draw on (a job with its own cap draws on a budget of its own inside it). Once a second
// (tick) it measures the engine's download throughput — the bytes charged to both classes —,
// keeps the best second as "the measured throughput" for percentage caps (once three seconds
// with downloads were seen: until then a percentage caps nothing), and sets each class's
// rate from the policy for this hour (effective_cap). A new policy (SIGHUP) applies at the next
// tick, to requests and swarms in flight.
//
// Engine thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "download_caps.h"
#include "swarmcopy/engine/engine_options.h"
#include "swarmcopy/util/byte_budget.h"

namespace swarmcopy::engine {

class BandwidthGovernor {
 public:
  using Clock = util::ByteBudget::Clock;

  // `measured`: the throughput measured before (kept across restarts); 0: none yet.
  BandwidthGovernor(const DownloadCaps& caps, std::uint64_t measured, Clock::time_point now,
                    int hour);

  // The budget a job of this class draws on; with a cap of its own (`job_cap` bytes/s), a budget
  // of its own inside the class's.
  std::shared_ptr<util::ByteBudget> budget_for(bool foreground, std::uint64_t job_cap) const;

  void apply(const DownloadCaps& caps, Clock::time_point now, int hour);
  // Measures the second gone and sets the rates for this `hour` (0-23, local time).
  void tick(Clock::time_point now, int hour);

  // The best second's download throughput (bytes/s; 0: not measured yet).
  std::uint64_t measured() const { return measured_; }
  // The class's cap now (0: none) and the rule that set it.
  const EffectiveCap& cap(bool foreground) const {
    return foreground ? foreground_cap_ : background_cap_;
  }

 private:
  void set_rates(Clock::time_point now, int hour);

  DownloadCaps caps_;
  std::shared_ptr<util::ByteBudget> foreground_ = std::make_shared<util::ByteBudget>();
  std::shared_ptr<util::ByteBudget> background_ = std::make_shared<util::ByteBudget>();
  EffectiveCap foreground_cap_;
  EffectiveCap background_cap_;
  std::uint64_t measured_ = 0;
  std::uint64_t peak_ = 0;  // the best second so far, measured or not yet
  int busy_windows_ = 0;    // seconds with downloads seen
  std::uint64_t taken_at_tick_ = 0;
  Clock::time_point last_tick_;
};

}  // namespace swarmcopy::engine
