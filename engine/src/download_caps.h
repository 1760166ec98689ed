// The download cap that applies to one class of jobs now: the class's limit for this hour
// (business hours or not), an absolute rate or a percentage of the measured throughput, and a
// sentence naming the rule for `job explain`. Pure: any thread.
#pragma once

#include <cstdint>
#include <string>

#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::engine {

struct EffectiveCap {
  std::uint64_t bytes_per_second = 0;  // 0: none
  // The swarmcopyd.conf key that set it and how it came to this rate; empty when no rule applies.
  std::string rule;
  bool operator==(const EffectiveCap&) const = default;
};

// Whether `hour` (0-23, local time) lies in the business hours of `caps`.
bool in_business_hours(const DownloadCaps& caps, int hour);

// `measured`: the engine's download throughput (bytes/s; 0: not measured yet, and a percentage
// then caps nothing until it is).
EffectiveCap effective_cap(const DownloadCaps& caps, bool foreground, int hour,
                           std::uint64_t measured);

}  // namespace swarmcopy::engine
