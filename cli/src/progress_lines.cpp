#include "progress_lines.h"

#include <unistd.h>

#include <string>

#include <nlohmann/json.hpp>

namespace swarmcopy::cli {

ProgressLines::ProgressLines(int fd, bool enabled, Clock::time_point start,
                             std::chrono::milliseconds interval)
    : fd_(fd), enabled_(enabled), start_(start), interval_(interval) {}

void ProgressLines::update(const GetOutcome& outcome, Clock::time_point now) {
  if (!enabled_) return;
  const bool complete = outcome.bytes_total && outcome.bytes >= *outcome.bytes_total;
  if (complete && last_bytes_ == outcome.bytes) return;  // the completing line is out already
  // The completing line goes out at once, even sooner than the interval.
  if (last_line_ && now - *last_line_ < interval_ && !complete) return;
  last_line_ = now;
  last_bytes_ = outcome.bytes;
  const nlohmann::json line = {
      {"progress",
       {{"seconds", std::chrono::duration<double>(now - start_).count()},
        {"bytes", outcome.bytes},
        {"bytes_total",
         outcome.bytes_total ? nlohmann::json(*outcome.bytes_total) : nlohmann::json(nullptr)},
        {"from_origin", outcome.from_origin},
        {"from_peers", outcome.from_peers},
        {"from_cache", outcome.from_cache},
        {"refetched", outcome.refetched},
        {"origin_ignores_range", outcome.origin_ignores_range},
        {"uploaded", outcome.uploaded},
        {"peers_connected", outcome.peers_connected}}}};
  const std::string text = line.dump() + "\n";
  // One write per line: lines from this process never interleave with each other. A failed
  // write (the reader went away) is not worth failing the download for.
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace swarmcopy::cli
