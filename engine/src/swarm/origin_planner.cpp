#include "origin_planner.h"

#include <algorithm>

#include "piece_owner.h"

namespace swarmcopy::engine::swarm {

bool stalled(const PlanTimes& times) {
  return times.now - std::max(times.last_progress, times.in_play_since) > kTakeOverAfter;
}

bool discovery_settling(const PlanTimes& times, bool discovery_only) {
  if (!discovery_only) return false;
  if (times.last_new_peer == Clock::time_point{}) return times.now - times.started < kAloneSettle;
  return times.now - times.started < kMaxSettle &&
         times.now - std::max(times.started, times.last_new_peer) < kDiscoverySettle;
}

bool peers_had_their_chance(const PeerChance& chance) {
  if (chance.listed_peers > 0 && chance.peers_told < chance.listed_peers &&
      chance.waited < chance.peer_connect_wait) {
    return false;
  }
  if (!chance.peers_possible) return true;
  return chance.waited >=
         (chance.foreground ? chance.foreground_http_delay : chance.background_http_delay);
}

bool OriginPlanner::wanted(const PieceLedger& ledger, const PeerView& peers, std::uint32_t piece,
                           bool stalled) const {
  if (!ledger.missing(piece)) return false;
  const bool available = piece < peers.available.size() && peers.available[piece];
  // The origin sent bad bytes for it once: a peer that has it serves it, stalled or not (each
  // bad copy counts towards the origin's failure limit; libtorrent's copy is checked on its own).
  if (available && ledger[piece].origin_rejected) return false;
  if (stalled) return true;
  // A connected peer has it: libtorrent fetches it from there. (A piece half-fetched from a
  // peer that has gone is not "available": its owner, or the successor, takes it over.)
  if (available) return false;
  return origin_owner_is_self(peers.self, piece, peers.participants, peers.live);
}

std::vector<std::uint64_t> OriginPlanner::foreign_requests(
    const PieceLedger& ledger, const PeerView& peers, std::span<const OpenRequest> open) const {
  std::vector<std::uint64_t> foreign;
  for (const auto& request : open) {
    // The piece being received is kept: most of it may be here already.
    for (auto piece = request.pending + 1; piece < request.end; ++piece) {
      const bool available = piece < peers.available.size() && peers.available[piece];
      if (ledger[piece].fetch == PieceFetch::kVerified || available ||
          !origin_owner_is_self(peers.self, piece, peers.participants, peers.live)) {
        foreign.push_back(request.key);
        break;
      }
    }
  }
  return foreign;
}

std::vector<OriginRun> OriginPlanner::runs_to_launch(const PieceLedger& ledger,
                                                     const PeerView& peers,
                                                     std::size_t open_requests, bool stalled,
                                                     bool settling, const PlanLimits& limits) {
  std::vector<OriginRun> runs;
  if (ledger.unchecked_bytes() > limits.max_unchecked) return runs;
  auto room = [&] { return open_requests + runs.size() < limits.max_requests; };
  if (settling) {
    for (const std::uint32_t piece : rank_order(peers.self, ledger.pieces())) {
      if (!room()) break;
      if (wanted(ledger, peers, piece, stalled)) runs.push_back({piece, piece + 1});
    }
    return runs;
  }
  const std::uint32_t max_run = std::max<std::uint32_t>(1, limits.max_run);
  for (std::uint32_t piece = 0; piece < ledger.pieces() && room();) {
    if (!wanted(ledger, peers, piece, stalled)) {
      ++piece;
      continue;
    }
    std::uint32_t end = piece + 1;
    while (end < ledger.pieces() && end - piece < max_run && wanted(ledger, peers, end, stalled)) {
      ++end;
    }
    runs.push_back({piece, end});
    piece = end;
  }
  return runs;
}

std::string why_origin(const PieceLedger& ledger, const PeerView& peers, const OriginRun& run,
                       bool stalled, bool settling) {
  if (stalled) {
    return "take-over: no piece verified for " +
           std::to_string(
               std::chrono::duration_cast<std::chrono::seconds>(kTakeOverAfter).count()) +
           " s, so the origin takes any missing piece";
  }
  if (run.first < ledger.pieces() && ledger[run.first].origin_rejected) {
    return "again: the origin's earlier bytes for it failed their check, and no peer has it";
  }
  if (peers.participants.size() <= 1) {
    return "nobody else had it: no connected peer has these pieces, and no other machine "
           "downloads the file";
  }
  const auto participants = std::to_string(peers.participants.size());
  const auto owner = std::max_element(peers.participants.begin(), peers.participants.end(),
                                      [&](const std::string& a, const std::string& b) {
                                        return piece_rank(a, run.first) < piece_rank(b, run.first);
                                      });
  if (*owner == peers.self) {
    return settling
               ? "owned piece: this machine ranks first for it of " + participants +
                     " downloaders (fetched singly while discovery settles)"
               : "owned piece: this machine ranks first for it of " + participants + " downloaders";
  }
  return "its owner left: this machine is the first connected one of " + participants +
         " downloaders";
}

const std::vector<std::uint32_t>& OriginPlanner::rank_order(const std::string& self,
                                                            std::uint32_t pieces) {
  if (rank_order_.size() != pieces || ranked_for_ != self) {
    ranked_for_ = self;
    rank_order_.resize(pieces);
    std::vector<std::uint64_t> ranks(pieces);
    for (std::uint32_t piece = 0; piece < pieces; ++piece) {
      rank_order_[piece] = piece;
      ranks[piece] = piece_rank(self, piece);
    }
    std::sort(rank_order_.begin(), rank_order_.end(),
              [&](std::uint32_t a, std::uint32_t b) { return ranks[a] > ranks[b]; });
  }
  return rank_order_;
}

}  // namespace swarmcopy::engine::swarm
