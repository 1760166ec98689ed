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

// utime + stime in seconds; nullopt when there is no such process. `with_reaped_children`:
// also cutime + cstime, the children it has waited for (apt-get's methods, which it starts
// and reaps itself: their CPU is nowhere else once they are gone).
std::optional<double> cpu_seconds_of(pid_t pid, bool with_reaped_children = false);

// VmHWM in bytes; nullopt when there is no such process or it has exited (zombie).
std::optional<std::uint64_t> peak_rss_of(pid_t pid);

}  // namespace swarmcopy::lab
