// The origin planner: peers that plan alone from the same view fetch every piece from the origin
// exactly once between them; peers' pieces come from peers; a stall, a dead owner, the
// discovery window and the background delay change the plan as the field notes say.
#include "swarm/origin_planner.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "swarm/piece_owner.h"

namespace swarmcopy::engine::swarm {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kPiece = 16384;
constexpr std::uint32_t kPieces = 64;

std::string peer_id(char tag) { return "-SC0100-" + std::string(11, 'p') + tag; }

// Peer `self`'s view of a swarm of `all` peers where `live` are connected (self always is).
PeerView view_of(char self, const std::string& all, const std::string& live) {
  PeerView view;
  view.self = peer_id(self);
  view.participants.push_back(view.self);
  view.live.push_back(view.self);
  for (char tag : all) {
    if (tag != self) view.participants.push_back(peer_id(tag));
  }
  for (char tag : live) {
    if (tag != self) view.live.push_back(peer_id(tag));
  }
  view.available.assign(kPieces, false);
  return view;
}

PlanLimits unlimited() {
  PlanLimits limits;
  limits.max_requests = 1000;
  limits.max_run = 8;
  limits.max_unchecked = 64ull << 20;
  return limits;
}

std::set<std::uint32_t> pieces_of(const std::vector<OriginRun>& runs) {
  std::set<std::uint32_t> pieces;
  for (const auto& run : runs) {
    for (auto piece = run.first; piece < run.end; ++piece) pieces.insert(piece);
  }
  return pieces;
}

// Every piece is fetched by exactly one of `planners` (each planning alone).
void expect_each_piece_once(const std::vector<PeerView>& views) {
  std::vector<int> fetched(kPieces, 0);
  for (const auto& view : views) {
    OriginPlanner planner;
    PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
    for (auto piece :
         pieces_of(planner.runs_to_launch(ledger, view, 0, false, false, unlimited()))) {
      ++fetched[piece];
    }
  }
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) {
    EXPECT_EQ(fetched[piece], 1) << "piece " << piece;
  }
}

TEST(OriginPlanner, PeersPlanningAloneFetchEachPieceOnce) {
  expect_each_piece_once(
      {view_of('A', "ABC", "ABC"), view_of('B', "ABC", "ABC"), view_of('C', "ABC", "ABC")});
}

TEST(OriginPlanner, ADeadOwnersPiecesGoToExactlyOneLivePeer) {
  // C was seen and left: A and B share its pieces without fetching any twice.
  expect_each_piece_once({view_of('A', "ABC", "AB"), view_of('B', "ABC", "AB")});
}

TEST(OriginPlanner, APieceAPeerHasComesFromThePeerUnlessTheTransferStalled) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  auto view = view_of('A', "A", "A");
  view.available[5] = true;
  const auto normal = pieces_of(planner.runs_to_launch(ledger, view, 0, false, false, unlimited()));
  EXPECT_EQ(normal.size(), kPieces - 1);
  EXPECT_FALSE(normal.contains(5));
  const auto stalled_plan =
      pieces_of(planner.runs_to_launch(ledger, view, 0, true, false, unlimited()));
  EXPECT_EQ(stalled_plan.size(), kPieces);
}

TEST(OriginPlanner, APieceTheOriginGotWrongComesFromAPeerThatHasItEvenWhenStalled) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  ledger.origin_rejected(5);
  ledger.origin_rejected(6);
  auto view = view_of('A', "A", "A");
  view.available[5] = true;  // nobody has piece 6
  for (const bool stalled : {false, true}) {
    SCOPED_TRACE(stalled ? "stalled" : "not stalled");
    const auto plan =
        pieces_of(planner.runs_to_launch(ledger, view, 0, stalled, false, unlimited()));
    EXPECT_FALSE(plan.contains(5));
    EXPECT_TRUE(plan.contains(6));  // only the origin can give it: asked again
  }
}

TEST(OriginPlanner, AStalledTransferTakesOtherPeersPiecesToo) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  const auto view = view_of('A', "AB", "AB");
  const auto own = pieces_of(planner.runs_to_launch(ledger, view, 0, false, false, unlimited()));
  EXPECT_LT(own.size(), kPieces);
  EXPECT_GT(own.size(), 0u);
  EXPECT_EQ(pieces_of(planner.runs_to_launch(ledger, view, 0, true, false, unlimited())).size(),
            kPieces);
}

TEST(OriginPlanner, OnlyMissingPiecesAreAskedFor) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  ledger.swarm_verified(0);
  ledger.request(1);
  ledger.request(2);
  ledger.hand_to_swarm(2, Clock::now());
  const auto plan = pieces_of(
      planner.runs_to_launch(ledger, view_of('A', "A", "A"), 0, true, false, unlimited()));
  EXPECT_FALSE(plan.contains(0));
  EXPECT_FALSE(plan.contains(1));
  EXPECT_FALSE(plan.contains(2));
  EXPECT_EQ(plan.size(), kPieces - 3);
}

TEST(OriginPlanner, RunsAreBoundedInLengthAndNumber) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  auto limits = unlimited();
  limits.max_requests = 4;
  limits.max_run = 8;
  const auto runs = planner.runs_to_launch(ledger, view_of('A', "A", "A"), 1, false, false, limits);
  ASSERT_EQ(runs.size(), 3u);  // one is open already
  EXPECT_EQ(runs[0], (OriginRun{0, 8}));
  EXPECT_EQ(runs[1], (OriginRun{8, 16}));
  EXPECT_EQ(runs[2], (OriginRun{16, 24}));
}

TEST(OriginPlanner, NothingNewWhileTooMuchOriginDataAwaitsItsCheck) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  for (std::uint32_t piece = 0; piece < 3; ++piece) {
    ledger.request(piece);
    ledger.hand_to_swarm(piece, Clock::now());
  }
  auto limits = unlimited();
  limits.max_unchecked = 2 * kPiece;
  EXPECT_TRUE(
      planner.runs_to_launch(ledger, view_of('A', "A", "A"), 0, false, false, limits).empty());
}

// While discovery settles: single pieces, the best-ranked for us first.
TEST(OriginPlanner, WhileDiscoverySettlesSinglePiecesBestRankedFirst) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  auto limits = unlimited();
  limits.max_requests = 3;
  const auto view = view_of('A', "A", "A");
  const auto runs = planner.runs_to_launch(ledger, view, 0, false, true, limits);
  const auto& order = planner.rank_order(view.self, kPieces);
  ASSERT_EQ(runs.size(), 3u);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i], (OriginRun{order[i], order[i] + 1}));
  }
  EXPECT_GE(piece_rank(view.self, order[0]), piece_rank(view.self, order[1]));
}

TEST(OriginPlanner, ARequestIsCancelledWhenItsRemainingPiecesBecomeAnotherPeers) {
  OriginPlanner planner;
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  // Alone, A asked for everything in two requests; then B appears.
  const std::vector<OpenRequest> open{{1, 0, 32}, {2, 32, 64}};
  EXPECT_TRUE(planner.foreign_requests(ledger, view_of('A', "A", "A"), open).empty());
  const auto cancelled = planner.foreign_requests(ledger, view_of('A', "AB", "AB"), open);
  EXPECT_EQ(cancelled, (std::vector<std::uint64_t>{1, 2}));
  // A piece a peer now offers cancels too; the piece being received does not.
  auto view = view_of('A', "A", "A");
  view.available[40] = true;
  EXPECT_EQ(planner.foreign_requests(ledger, view, open), (std::vector<std::uint64_t>{2}));
  view.available[40] = false;
  view.available[32] = true;
  EXPECT_TRUE(planner.foreign_requests(ledger, view, open).empty());
}

TEST(OriginPlanner, PeersGetTheirChanceFirst) {
  PeerChance chance;
  chance.peer_connect_wait = 2s;
  chance.background_http_delay = 10s;
  chance.peers_possible = true;
  chance.waited = 1s;
  EXPECT_FALSE(peers_had_their_chance(chance));  // background: the delay
  chance.foreground = true;
  EXPECT_TRUE(peers_had_their_chance(chance));  // a person waits
  chance.foreground_http_delay = 5s;            // unless the administrator says peers come first
  EXPECT_FALSE(peers_had_their_chance(chance));
  chance.waited = 5s;
  EXPECT_TRUE(peers_had_their_chance(chance));
  chance.waited = 1s;
  chance.foreground_http_delay = 0s;
  chance.listed_peers = 2;
  chance.peers_told = 1;
  EXPECT_FALSE(peers_had_their_chance(chance));  // a listed peer has not told what it has
  chance.waited = 3s;
  EXPECT_TRUE(peers_had_their_chance(chance));  // it had its moment
  chance.foreground = false;
  chance.listed_peers = 0;
  chance.peers_possible = false;
  chance.waited = 0s;
  EXPECT_TRUE(peers_had_their_chance(chance));  // no peer can come: nothing to wait for
  chance.peers_possible = true;
  chance.waited = 10s;
  EXPECT_TRUE(peers_had_their_chance(chance));
}

TEST(OriginPlanner, StallAndDiscoveryWindowsFollowTheClock) {
  const auto t0 = Clock::now();
  PlanTimes times{t0 + 1s, t0, t0, t0, t0};
  EXPECT_FALSE(stalled(times));
  times.now = t0 + 2100ms;
  EXPECT_TRUE(stalled(times));
  times.in_play_since = t0 + 1s;  // waiting for peers before the origin was allowed is no stall
  EXPECT_FALSE(stalled(times));

  PlanTimes discovery{t0 + 500ms, t0, t0, t0, t0};
  EXPECT_TRUE(discovery_settling(discovery, true));
  EXPECT_FALSE(discovery_settling(discovery, false));
  discovery.now = t0 + 1500ms;
  EXPECT_FALSE(discovery_settling(discovery, true));  // no new peer for a second
  discovery.last_new_peer = t0 + 1200ms;
  EXPECT_TRUE(discovery_settling(discovery, true));
  discovery.now = t0 + kMaxSettle - 100ms;
  discovery.last_new_peer = t0 + kMaxSettle - 500ms;
  EXPECT_TRUE(discovery_settling(discovery, true));  // peers still arriving
  discovery.now = t0 + kMaxSettle + 100ms;
  discovery.last_new_peer = t0 + kMaxSettle;
  EXPECT_FALSE(discovery_settling(discovery, true));  // kMaxSettle at most
  // No peer yet: discovery's first answers may take longer than a second.
  PlanTimes alone{t0 + 1500ms, t0, t0, t0, Clock::time_point{}};
  EXPECT_TRUE(discovery_settling(alone, true));
  alone.now = t0 + kAloneSettle + 100ms;
  EXPECT_FALSE(discovery_settling(alone, true));
}

// `job explain` names the planner's rule for each origin request.
TEST(OriginPlanner, SaysWhyEachRunGoesToTheOrigin) {
  PieceLedger ledger(std::uint64_t{kPieces} * kPiece, kPiece, {});
  const auto starts_with = [](const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
  };
  const auto alone = view_of('A', "A", "A");
  EXPECT_TRUE(starts_with(why_origin(ledger, alone, {0, 4}, false, false), "nobody else had it"));
  EXPECT_TRUE(starts_with(why_origin(ledger, alone, {0, 4}, true, false), "take-over"));
  // Of A and B, each run is owned by one of them: A's own say so, B's (after B left) too.
  const auto both = view_of('A', "AB", "AB");
  const auto after_b_left = view_of('A', "AB", "A");
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) {
    const bool a_owns = origin_owner_is_self(peer_id('A'), piece, both.participants, both.live);
    const auto why =
        why_origin(ledger, a_owns ? both : after_b_left, {piece, piece + 1}, false, false);
    EXPECT_TRUE(starts_with(why, a_owns ? "owned piece" : "its owner left")) << why;
  }
  ledger.origin_rejected(7);
  EXPECT_TRUE(starts_with(why_origin(ledger, both, {7, 8}, false, false), "again"));
}

}  // namespace
}  // namespace swarmcopy::engine::swarm
