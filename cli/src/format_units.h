// Human-readable forms of bytes, rates and durations for the progress bar and messages.
// Pure functions: any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace swarmcopy::cli {

// 1536 -> "1.5 KiB"; below 1 KiB: "512 B".
std::string format_bytes(std::uint64_t bytes);
// bytes per second -> "12.3 MiB/s".
std::string format_rate(double bytes_per_second);
// 75 s -> "1:15", 3725 s -> "1:02:05".
std::string format_duration(std::chrono::seconds duration);

}  // namespace swarmcopy::cli
