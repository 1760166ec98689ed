// Which pieces this peer asks the origin for, and when: the swarm's origin deconfliction as pure
// functions of the piece ledger, the peers in view and the time. No I/O and no clock of its
// own, so every rule is unit-tested (tests/unit/engine/origin_planner_test.cpp).
//
// The rules:
// - Peers first. A background job leaves the origin alone for background_http_delay while
//   peers may serve it; listed peers (--peer) get peer_connect_wait to connect and say what
//   they have (peers_had_their_chance).
// - A piece a connected peer has comes from that peer (libtorrent fetches it).
// - Any other missing piece is fetched by the one participant that ranks first for it
//   (piece_owner.h), or by the first live one when that participant is gone.
// - No piece verified for kTakeOverAfter: the origin takes any missing piece (stalled), so a
//   slow or vanished peer never blocks the download.
// - A piece whose origin bytes failed their check comes from a connected peer that has it,
//   stalled or not; the origin is asked again only when no connected peer has it.
// - While local discovery still fills the mesh (kDiscoverySettle after the last new peer,
//   kAloneSettle while none came yet, kMaxSettle at most), single pieces, the ones this peer ranks
//   highest first: the ones it is most likely to own whoever joins. Runs in piece order fetched
//   pieces that peers found a moment later owned: 1.01-1.10x origin egress for 8 peers instead
//   of 1.000x. 32 peers on two cores take 9-15 s to all know each other: with at most 3 s of
//   settling, 1.05-1.13x egress (each peer claimed pieces among the ones it knew); with up to 20
//   s, 1.02-1.05x, and 8 and 16 peers unchanged (1.000).
// - A request whose remaining pieces became another peer's (or a peer's to give) is cancelled:
//   what it already brought is lost, at most a piece and a socket buffer; a peer joining 2 s
//   late otherwise cost 1.27x origin egress for 2 peers.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "piece_ledger.h"

namespace swarmcopy::engine::swarm {

using Clock = std::chrono::steady_clock;

// No piece verified for this long (from any source): the origin takes any missing piece.
inline constexpr auto kTakeOverAfter = std::chrono::seconds(2);
inline constexpr auto kDiscoverySettle = std::chrono::seconds(1);
// No peer seen yet: discovery may still bring the first. Local discovery's second announce
// goes out 2 s after the first (machines that started together may miss the first), and in a
// group the tracker's answer and the dial through the announce take ~1 s: a machine alone
// after 1 s fetched runs from piece 0, as did every other lone machine (lab, group mode, 16
// peers in 2 subnets: `job explain` showed each fetching pieces 0-7 "nobody else had it").
inline constexpr auto kAloneSettle = std::chrono::seconds(3);
inline constexpr auto kMaxSettle = std::chrono::seconds(20);

// The peers as this one sees them.
struct PeerView {
  std::string self;                       // our peer id
  std::vector<std::string> participants;  // self and every non-seed peer ever connected
  std::vector<std::string> live;          // self and the connected non-seeds
  std::vector<bool> available;            // the pieces some connected peer has
};

// An origin request in flight: pieces [pending, end) are not handed over yet.
struct OpenRequest {
  std::uint64_t key = 0;
  std::uint32_t pending = 0;
  std::uint32_t end = 0;
};

// Pieces [first, end), fetched in one Range request.
struct OriginRun {
  std::uint32_t first = 0;
  std::uint32_t end = 0;
  bool operator==(const OriginRun&) const = default;
};

struct PlanLimits {
  std::uint32_t max_requests = 1;   // origin requests at once
  std::uint32_t max_run = 1;        // pieces per request
  std::uint64_t max_unchecked = 0;  // origin bytes waiting for their hash check, at most
};

// What the clock says about this transfer.
struct PlanTimes {
  Clock::time_point now{};
  Clock::time_point started{};
  Clock::time_point last_progress{};  // a piece verified, from any source
  Clock::time_point in_play_since{};  // the origin was first allowed
  Clock::time_point last_new_peer{};  // a peer id first seen
};

// No local progress for kTakeOverAfter since the origin came into play: it takes any piece.
bool stalled(const PlanTimes& times);

// Local discovery (and no listed peers) may still bring peers that change who owns what.
bool discovery_settling(const PlanTimes& times, bool discovery_only);

struct PeerChance {
  Clock::duration waited{};      // since the transfer started
  std::size_t listed_peers = 0;  // --peer endpoints
  std::size_t peers_told = 0;    // connected peers that sent their bitfield
  bool foreground = false;       // a person waits: the foreground delay, not the background's
  bool peers_possible = false;   // listed peers, discovery or connected peers
  Clock::duration peer_connect_wait{};
  Clock::duration background_http_delay{};
  Clock::duration foreground_http_delay{};
};

// The peers had their chance to serve the file before the origin is asked.
bool peers_had_their_chance(const PeerChance& chance);

// Why a run the planner chose goes to the origin, in words for `job explain` (its first piece
// speaks for the run: runs_to_launch groups pieces wanted for the same rule).
std::string why_origin(const PieceLedger& ledger, const PeerView& peers, const OriginRun& run,
                       bool stalled, bool settling);

class OriginPlanner {
 public:
  // Requests whose pieces not yet handed over include one that is verified, that a connected
  // peer has, or that another participant owns now. Not while stalled (then every piece is fair).
  std::vector<std::uint64_t> foreign_requests(const PieceLedger& ledger, const PeerView& peers,
                                              std::span<const OpenRequest> open) const;

  // The runs to ask the origin for now, given `open_requests` already open.
  std::vector<OriginRun> runs_to_launch(const PieceLedger& ledger, const PeerView& peers,
                                        std::size_t open_requests, bool stalled, bool settling,
                                        const PlanLimits& limits);

  // Every piece, the highest piece_rank for `self` first (computed once per self and size).
  const std::vector<std::uint32_t>& rank_order(const std::string& self, std::uint32_t pieces);

 private:
  bool wanted(const PieceLedger& ledger, const PeerView& peers, std::uint32_t piece,
              bool stalled) const;

  std::string ranked_for_;
  std::vector<std::uint32_t> rank_order_;
};

}  // namespace swarmcopy::engine::swarm
