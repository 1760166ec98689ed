// ProgressLines: `swarmcopy get --json-progress`. While a download runs, one JSON object per
// line on a file descriptor (stderr), at most every `interval` and always when the byte count
// reaches the total:
//   {"progress": {"seconds": 1.25, "bytes": N, "bytes_total": N|null, "from_origin": N,
//                 "from_peers": N, "from_cache": N, "refetched": N,
//                 "origin_ignores_range": bool, "uploaded": N, "peers_connected": N}}
// "seconds" counts from the start of the run. For scripts and swarmcopy-lab, which draw
// completion over time from it; people get the progress bar instead. One thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "get_outcome.h"

namespace swarmcopy::cli {

class ProgressLines {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressLines(int fd, bool enabled, Clock::time_point start,
                std::chrono::milliseconds interval = std::chrono::milliseconds(250));

  // `outcome` as GetSession::record left it: bytes, totals and sources so far.
  void update(const GetOutcome& outcome, Clock::time_point now);

 private:
  int fd_;
  bool enabled_;
  Clock::time_point start_;
  std::chrono::milliseconds interval_;
  std::optional<Clock::time_point> last_line_;
  std::optional<std::uint64_t> last_bytes_;
};

}  // namespace swarmcopy::cli
