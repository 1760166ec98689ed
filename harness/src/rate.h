// parse_rate: a rate as tc writes it ("100mbit", "512kbit", "10mbps") in bits per second, so
// that the lab can size tbf's bucket and netem's queue from it. Any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "swarmcopy/api/error.h"

namespace swarmcopy::harness {

// Units as tc(8) reads them: bit, kbit, mbit, gbit, tbit (powers of 1000, bits) and bps,
// kbps, mbps, gbps, tbps (bytes per second); case-insensitive. Error: anything else, or zero.
api::Result<std::uint64_t> parse_rate(std::string_view rate);

}  // namespace swarmcopy::harness
