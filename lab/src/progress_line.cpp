#include "progress_line.h"

#include <fmt/format.h>

namespace swarmcopy::lab {

std::string format_progress_line(const ProgressSnapshot& snapshot, ProgressForm form) {
  const double wanted = static_cast<double>(snapshot.size) * snapshot.peers;
  const double verified_pct =
      wanted > 0 ? 100.0 * static_cast<double>(snapshot.verified_bytes) / wanted : 0.0;
  // Before the first poll has measured anything a rate would divide by zero.
  const double origin_rate =
      snapshot.elapsed_seconds > 0
          ? static_cast<double>(snapshot.origin_bytes) / 1e6 / snapshot.elapsed_seconds
          : 0.0;
  std::string line = fmt::format(
      "round {}/{} {}: {}/{} peers done, {:.1f}% verified, origin {:.1f} MB/s, {:.1f} s",
      snapshot.round, snapshot.rounds, snapshot.mode, snapshot.done, snapshot.peers, verified_pct,
      origin_rate, snapshot.elapsed_seconds);
  if (snapshot.ideal_seconds) line += fmt::format(" (ideal {:.1f} s)", *snapshot.ideal_seconds);
  if (form == ProgressForm::kTerminal) return "\r" + line + "\x1b[K";
  return "swarmcopy-lab: " + line + "\n";
}

}  // namespace swarmcopy::lab
