// What /proc says about one of the lab's processes: CPU time (user + system, all threads) and
// peak resident memory. The lab never reaps its processes before it closes (see harness's
// README), so wait4's rusage is out of reach: the CPU time is read from /proc/PID/stat, which
// a zombie still has, and the peak RSS (VmHWM, gone once the process has exited) is sampled
// while it runs. Any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace swarmcopy::lab {

// utime + stime in seconds; nullopt when there is no such process.
std::optional<double> cpu_seconds_of(pid_t pid);

// VmHWM in bytes; nullopt when there is no such process or it has exited (zombie).
std::optional<std::uint64_t> peak_rss_of(pid_t pid);

}  // namespace swarmcopy::lab
