// The figures of a lab run: one JSON object (what --json prints, what --report and sweep read)
// built from the rounds' measurements, and the terminal table made from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "origin_log.h"
#include "peer_run.h"
#include "run_settings.h"

namespace swarmcopy::lab {

struct RoundOutcome {
  int round = 1;
  OriginTraffic origin;  // what the origin sent during this round
  std::vector<PeerRun> peers;
};

// The first round's figures at the top level (peers, size, origin_bytes, origin_egress_ratio,
// ideal_seconds, first/median/last_finish_seconds, last_finish_ratio, peer_bytes_pct,
// per_peer [...], ...), later rounds under "later_rounds", the scenario under "scenario".
nlohmann::json run_report(const RunSettings& settings, const std::string& prefix,
                          const std::string& work_dir, const std::vector<RoundOutcome>& rounds);

void print_table(const nlohmann::json& report);

// Over a report's peers: CPU seconds summed, and the largest peak RSS.
struct PeerUsage {
  double cpu_seconds = 0;
  std::uint64_t max_rss_bytes = 0;
};
PeerUsage peer_usage(const nlohmann::json& report);

// True when every peer that was not killed has the right file, and no killed swarmcopy peer
// left a partial or wrong file at its destination (curl does: that is the baseline).
bool every_file_right(const nlohmann::json& report);

}  // namespace swarmcopy::lab
