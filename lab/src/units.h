// Units of swarmcopy-lab's options: sizes in binary units ("256M" = 256 MiB) and rates as tc(8)
// writes them ("100mbit" = 10^8 bit/s). Pure functions: any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmcopy::lab {

// A whole number of bytes with an optional binary suffix: K, M, G, T (also KiB, MB, ...;
// case-insensitive), so "64M" is 67108864. nullopt: anything else, zero, or overflow.
std::optional<std::uint64_t> parse_size(std::string_view text);

// A rate as tc reads it, in bits per second: a number (decimals allowed) and a unit: none or
// bit, kbit, mbit, gbit, tbit (powers of 1000, bits), kibit, mibit, gibit, tibit (powers of
// 1024), bps, kbps, mbps, gbps, tbps, kibps, ... (bytes per second); case-insensitive.
// nullopt: anything else or not positive.
std::optional<double> parse_tc_rate(std::string_view text);

// "64 MiB", "1.5 GiB", "512 B": for the table.
std::string format_bytes(std::uint64_t bytes);

}  // namespace swarmcopy::lab
