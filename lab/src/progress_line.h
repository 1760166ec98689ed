// ProgressSnapshot and format_progress_line: what a round of a lab run looks like right now,
// as one line of text for stderr. A terminal gets the line redrawn in place (carriage return,
// then erase to the end of the line); anything else gets whole lines, each a log line of its
// own. Pure functions of their arguments: any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace swarmcopy::lab {

// The numbers the lab's round loop already has at a poll.
struct ProgressSnapshot {
  std::string mode;  // "lan", "http-only", "curl"
  int round = 1;
  int rounds = 1;
  int peers = 0;                        // N
  int done = 0;                         // finished or killed
  std::uint64_t size = 0;               // of the file: every peer wants all of it
  std::uint64_t verified_bytes = 0;     // summed over the peers
  std::uint64_t origin_bytes = 0;       // what the peers got from the origin so far
  double elapsed_seconds = 0;           // since the round started
  std::optional<double> ideal_seconds;  // size / origin rate; none when the origin is unshaped
};

enum class ProgressForm {
  kTerminal,  // "\r<line>\x1b[K": no newline, the next one draws over it
  kPlain,     // "swarmcopy-lab: <line>\n", like the lab's other notes
};

// For example "round 1/2 lan: 3/8 peers done, 45.2% verified, origin 11.9 MB/s, 12.3 s
// (ideal 21.5 s)". MB are 10^6 bytes, so a 100mbit origin reads 12.5 MB/s at most.
std::string format_progress_line(const ProgressSnapshot& snapshot, ProgressForm form);

}  // namespace swarmcopy::lab
