#include "proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace swarmcopy::lab {

std::optional<double> cpu_seconds_of(pid_t pid, bool with_reaped_children) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!stat || !std::getline(stat, text)) return std::nullopt;
  const size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 > text.size()) return std::nullopt;
  // After the command name (which may hold spaces): state is field 3, utime 14, stime 15,
  // cutime 16, cstime 17.
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long own = 0, children = 0;
  for (int index = 3; index <= 17 && fields >> field; ++index) {
    if (index == 14 || index == 15) own += std::stoull(field);
    if (index == 16 || index == 17) children += std::stoull(field);
  }
  if (!fields) return std::nullopt;
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const auto total = own + (with_reaped_children ? children : 0);
  return static_cast<double>(total) / static_cast<double>(ticks > 0 ? ticks : 100);
}

std::optional<std::uint64_t> peak_rss_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) {
      std::istringstream value(line.substr(6));
      std::uint64_t kib = 0;
      if (value >> kib) return kib * 1024;
    }
  }
  return std::nullopt;
}

}  // namespace swarmcopy::lab
