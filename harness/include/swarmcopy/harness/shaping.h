// Shaping: the speed and delay of one namespace's link, applied with `tc` to both ends of its
// veth pair (egress on the host end shapes what the namespace receives, egress on the
// namespace end what it sends), like a full-duplex cable of that speed. Plain value type.
#pragma once

#include <string>

namespace swarmcopy::harness {

struct Shaping {
  // A whole number and a unit as tc writes rates: "100mbit", "1gbit", "512kbit", "10mbps"
  // (bytes/s). Empty: no limit.
  std::string rate;
  // One-way delay added in each direction (so the round trip grows by twice this). Needs the
  // kernel's netem qdisc (sch_netem); 0: no delay.
  int latency_ms = 0;
  // Rate only: tbf. Any latency: netem (delay, and rate when given). Both empty: shaping removed.
};

}  // namespace swarmcopy::harness
