#include "swarm_transfer.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>

#include "content_identity.h"
#include "piece_owner.h"
#include "received_bytes.h"

namespace swarmcopy::engine::swarm {
namespace {

constexpr auto kTick = std::chrono::milliseconds(100);
// add_piece reports nothing when libtorrent drops the data: a piece handed over this long ago
// without a verdict is fetched again.
constexpr auto kAddPieceTimeout = std::chrono::seconds(30);
// One origin request covers at most this many bytes of whole pieces: what a cancelled request
// (OriginPlanner::foreign_requests) wastes is what nginx already wrote of it. 8 MiB runs lost up to
// 4 x 8 MiB when a peer appeared. With 2 MiB runs, bench/first_peer (no peer) still moved
// 1 GiB in 2.0 s in its runs that the disk did not slow.
constexpr std::uint64_t kMaxRunBytes = 2ull << 20;
// No new request starts while this much origin data waits in libtorrent for its hash check
// (add_piece copies and queues; nothing pushes back).
constexpr std::uint64_t kMaxUnverifiedBytes = 64ull << 20;
constexpr std::uint32_t kMaxOriginHashFailures = 10;

origin::FetchError local_failure(const api::Error& error, bool transient) {
  return origin::FetchError{error, transient, {}};
}

}  // namespace

SwarmTransfer::SwarmTransfer(Deps deps, FileRecord file, peer::Metainfo meta,
                             TransferSettings settings, TransferHooks hooks,
                             FallBackToHttp fall_back_to_http)
    : deps_(deps),
      file_(std::move(file)),
      meta_(std::move(meta)),
      shared_meta_(std::make_shared<const peer::Metainfo>(meta_)),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)),
      fall_back_to_http_(std::move(fall_back_to_http)),
      ledger_(meta_.size, meta_.piece_size, {}),
      origin_(deps_.io, deps_.http, file_.url, settings_.request_options(), ledger_,
              origin_handlers()),
      destination_({deps_.io, deps_.pool, ledger_, deps_.options.checkpoint_interval}, settings_,
                   file_.temp_path, shared_meta_),
      timer_(deps_.io) {}

SwarmTransfer::~SwarmTransfer() {
  *alive_ = false;
  cancel_origin();
  timer_.cancel();
}

OriginPieces::Handlers SwarmTransfer::origin_handlers() {
  OriginPieces::Handlers handlers;
  handlers.identified = [this](const origin::RemoteIdentity& identity) {
    return on_origin_identified(identity);
  };
  handlers.piece = [this](std::uint32_t piece, std::vector<char> data) {
    on_origin_piece(piece, std::move(data));
  };
  handlers.not_delivered = [this](std::uint32_t first, std::uint32_t end) {
    for (auto piece = first; piece < end; ++piece) ledger_.unrequest(piece);
  };
  handlers.run_done = [this] { request_plan(); };
  handlers.content_changed = [this](origin::FetchError error) {
    forget_content(file_);
    hooks_.persist(file_);
    fail(std::move(error));
  };
  handlers.first_byte = [this] {
    if (!flowing_) {
      flowing_ = true;
      hooks_.data_flowing();
    }
  };
  return handlers;
}

std::uint32_t SwarmTransfer::peers_connected() const { return peers_.connected(); }

// Each piece the ledger verified in this run counts once, on top of earlier runs' counts: as
// its source's where the file never received its bytes before, as refetched where it did (an
// earlier run lost them to a crash before they were synced).
void SwarmTransfer::update_counts() {
  for (const auto piece : ledger_.take_newly_verified()) {
    const bool origin = ledger_[piece].source == PieceSource::kOrigin;
    count_received(file_, ledger_.range_of(piece),
                   origin ? ByteSource::kOrigin : ByteSource::kPeers);
    ++(origin ? file_.explanation.pieces_from_origin : file_.explanation.pieces_from_peers);
  }
}

void SwarmTransfer::start() {
  started_ = last_progress_ = Clock::now();
  if (!file_.info_hash.empty() && file_.info_hash != meta_.info_hash_v2) {
    // The origin published new metadata since the last run: the pieces are new too.
    spdlog::info("{}: its metadata changed at the origin; starting over", file_.url);
    file_.verified.clear();
    restart_counts(file_);
  }
  if (meta_.provisional && !file_.verified.empty()) {
    // An earlier run's pieces passed against roots peers announced, never against the content
    // itself: nothing of them is kept.
    file_.explanation.note(
        "the pieces an earlier run kept came from a provisional swarm: fetched again");
    file_.verified.clear();
  }
  file_.info_hash = meta_.info_hash_v2;
  file_.size = meta_.size;
  hooks_.persist(file_);
  ledger_ = PieceLedger(meta_.size, meta_.piece_size, file_.verified);
  explain_start();

  SwarmHub::Listener listener;
  listener.piece_finished = [this, alive = alive_](std::uint32_t piece) {
    if (*alive) on_piece_finished(piece);
  };
  listener.hash_failed = [this, alive = alive_](std::uint32_t piece) {
    if (*alive) on_hash_failed(piece);
  };
  listener.finished = [this, alive = alive_] {
    if (*alive) on_swarm_finished();
  };
  listener.failed = [this, alive = alive_](api::Error error) {
    if (*alive) fail_local(error, error.kind == api::ErrorKind::kDiskFull);
  };
  listener.lead = [this, alive = alive_] {
    if (*alive) on_lead();
  };
  listener.root_conflict = [this, alive = alive_](peer::RootConflict conflict) {
    if (*alive) on_root_conflict(conflict);
  };
  listener.owner_uid = settings_.owner_uid;
  listener.private_content = settings_.sends_credentials(file_.url);
  deps_.hub.join(meta_, std::move(listener),
                 [this, alive = alive_](api::Result<std::shared_ptr<SwarmHub::Lease>> lease) {
                   if (*alive) on_joined(std::move(lease));
                 });
}

void SwarmTransfer::on_joined(api::Result<std::shared_ptr<SwarmHub::Lease>> lease) {
  if (!lease) {
    fail_local(lease.error(), lease.error().kind == api::ErrorKind::kDiskFull);
    return;
  }
  lease_ = std::move(*lease);
  // Listed peers are expected: their pieces must be visible from the start, and a reload
  // (which drops connections) would unsettle the mesh that deconfliction relies on.
  direct_ = deps_.hub.explicit_peers().empty();
  const auto at_start = deps_.hub.session().stats(lease_->swarm());
  uploaded_at_start_ = at_start.uploaded;
  peer_bytes_charged_ = at_start.from_peers;
  if (lease_->complete()) {
    // The content is in the cache (under any URL): not one byte from the origin.
    complete_ = true;
    admit_and_copy_out(false, true);
    return;
  }
  if (!lease_->fills()) {
    // Another job is fetching the same content: its result comes through the cache.
    spdlog::debug("{}: another job fills this content; waiting for it", file_.url);
    following_ = true;
    if (finished_before_join_) on_swarm_finished();  // its finish was heard before the join
    return;
  }
  start_filling();
}

void SwarmTransfer::on_lead() {
  if (!following_ || finished_ || complete_) return;
  spdlog::debug("{}: the job that filled this content left; filling it now", file_.url);
  following_ = false;
  start_filling();
}

void SwarmTransfer::start_filling() {
  // The destination's space is taken now, so that a full disk shows before any download.
  const bool resumed = ledger_.has_earlier_run();
  if (auto opened = destination_.open(resumed); !opened) {
    fail_local(opened.error(), opened.error().kind == api::ErrorKind::kDiskFull);
    return;
  }
  destination_.follow(lease_->data_path(), resumed);
  origin_.start(file_, std::exchange(origin_answer_, std::nullopt));
  schedule_tick();
}

// The origin's answer, already checked against what the file learned before (OriginFetcher),
// is checked against the metadata too. False: that ended the transfer.
void SwarmTransfer::use_claim(peer::MetainfoClaim claim) {
  claim.meta.bytes.clear();  // meta_ holds them
  claim_ = std::move(claim);
}

// The content disproved the peer's metainfo: the peer is not believed again for this content,
// and the file comes from the origin, checked against its SHA-256 alone.
void SwarmTransfer::refute_claim(const std::string& why) {
  if (finished_) return;
  claim_->meta.info_hash_v2 = meta_.info_hash_v2;
  claim_refuted_ = true;
  const auto reason = "the metainfo peer " + claim_->address + " offered was refuted: " + why;
  deps_.hub.rendezvous().refute(meta_.name, *claim_, reason);
  file_.explanation.note(reason + "; its supplier is banned for this content");
  hand_back_to_origin(reason);
}

// Two roots for one piece of a provisional swarm: one supplier lies (honest machines compute the
// same root from the same origin bytes).
void SwarmTransfer::on_root_conflict(const peer::RootConflict& conflict) {
  if (!meta_.provisional || finished_ || complete_ || following_ || !lease_) return;
  const auto piece = conflict.piece;
  if (piece >= ledger_.pieces()) return;
  const auto name = [this](const std::string& peer_id) { return peers_.name_of(peer_id); };
  if (conflict.kept_from.empty()) {
    // This machine's own origin bytes contradict the peer: it lies about what it verified. (Its
    // other roots that a run of origin pieces contradicted were reported before it was
    // distrusted: one verdict is enough.)
    if (!distrusted_.insert(conflict.other_from).second) return;
    const auto forgotten = deps_.hub.session().distrust(lease_->swarm(), conflict.other_from);
    peers_.distrusted(conflict.other_from);
    const auto why = "peer " + name(conflict.other_from) + " announced a root for piece " +
                     std::to_string(piece) + " that the origin's bytes contradict";
    file_.explanation.note(why + ": distrusted for this content");
    spdlog::warn("{}: {}; it is distrusted for this content", file_.url, why);
    const bool taken = std::any_of(forgotten.begin(), forgotten.end(), [this](std::uint32_t p) {
      return ledger_[p].fetch == PieceFetch::kVerified && ledger_[p].source == PieceSource::kPeers;
    });
    if (taken) give_up_provisional(why + ", and pieces it vouched for were taken already");
    return;
  }
  // Two peers disagree: the origin decides, if the piece is still to fetch. (One that passed
  // against the first root stays; the whole file's SHA-256 has the last word.)
  if (!ledger_.missing(piece)) return;
  file_.explanation.note("peers " + name(conflict.kept_from) + " and " + name(conflict.other_from) +
                         " announced different roots for piece " + std::to_string(piece) +
                         ": the origin decides");
  ledger_.request(piece);
  file_.explanation.origin_request(ledger_.offset_of(piece),
                                   ledger_.offset_of(piece) + ledger_.size_of(piece),
                                   "peers announced two roots for it");
  origin_.launch(piece, piece + 1, file_);
}

// What the peers gave cannot be trusted: the transfer ends, and its owner fetches the file from
// the origin alone (FallBackToHttp); without that hook the job fails with `reason`.
void SwarmTransfer::hand_back_to_origin(const std::string& reason) {
  spdlog::warn("{}: {}", file_.url, reason);
  if (!fall_back_to_http_) {
    // fail() ends the transfer itself (after end(), it would report nothing).
    fail(origin::FetchError{api::Error{api::ErrorContext::kPeer, api::ErrorKind::kChecksumMismatch,
                                       0, reason, file_.url, api::Protocol::kPeer},
                            true,
                            {}});
    return;
  }
  cancel_origin();
  end();
  boost::asio::post(deps_.io, [fall_back = fall_back_to_http_, reason] { fall_back(reason); });
}

// The provisional swarm cannot be trusted for this file any more: a peer's lie was taken, or the
// finished file is not the content. The file comes from the origin alone (nothing that came here
// is kept: the fall-back starts the file over).
void SwarmTransfer::give_up_provisional(const std::string& why) {
  if (finished_) return;
  provisional_failed_ = true;
  const auto reason = "the provisional swarm cannot be trusted for this file: " + why;
  file_.explanation.note(reason);
  hand_back_to_origin(reason);
}

bool SwarmTransfer::on_origin_identified(const origin::RemoteIdentity& identity) {
  if (identity.size && *identity.size != meta_.size && claim_) {
    refute_claim("the origin's file has " + std::to_string(*identity.size) + " bytes, not " +
                 std::to_string(meta_.size));
    return false;
  }
  if (identity.size && *identity.size != meta_.size) {
    // Metadata for another file (or a file re-published without new metadata): no byte of it
    // could be verified, so none is taken.
    fail(size_contradicts_metadata(file_, meta_.size, identity.size));
    return false;
  }
  learn_identity(file_, identity, false);
  hooks_.persist(file_);
  return true;
}

void SwarmTransfer::schedule_tick() {
  timer_.expires_after(kTick);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!ec && *alive) tick();
  });
}

void SwarmTransfer::tick() {
  if (finished_ || complete_ || !lease_) return;
  const auto stats = deps_.hub.session().stats(lease_->swarm());
  keep_to_budget(stats);
  refresh_peers(stats);
  refresh_progress(stats.have);
  if (direct_ && !stats.peers.empty()) {
    // Nothing written by us yet: nothing to tell libtorrent (a reload would drop the peers).
    direct_ = false;
    sharing_pending_ = direct_pieces_ > 0 || ledger_.writes_pending();
  }
  maybe_share_direct_pieces();
  if (stats.complete) {
    on_swarm_finished();
    return;
  }
  const auto now = Clock::now();
  ledger_.expire_checks(now - kAddPieceTimeout);
  last_stats_ = stats;
  if (origin_.ignores_ranges() && fall_back_to_http_ && peers_had_their_chance(stats) &&
      !a_peer_has_a_missing_piece(stats)) {
    fall_back_to_http();
    return;
  }
  plan_origin(stats);
  // Neither the origin nor any peer moves the file: the origin's error ends this run (the
  // engine retries transient ones later).
  if (origin_.error() && origin_.runs() == 0 &&
      now - last_progress_ > deps_.options.stall_timeout) {
    fail(*origin_.error());
    return;
  }
  keep_destination();
  update_reason();
  schedule_tick();
}

// Peers' bytes count against the file's download budget as they arrive: libtorrent reads from
// its peers on its own, so it is held to the budget's share instead of waiting on it, and what
// it took delays this file's (and its class's) origin requests.
void SwarmTransfer::keep_to_budget(const peer::SwarmStats& stats) {
  const auto& budget = settings_.budget;
  if (!budget) return;
  if (stats.from_peers > peer_bytes_charged_) budget->take(stats.from_peers - peer_bytes_charged_);
  peer_bytes_charged_ = stats.from_peers;  // a reload starts libtorrent's count again
  const auto share = budget->share();
  if (share != download_limit_) {
    deps_.hub.session().set_download_limit(lease_->swarm(), share);
    download_limit_ = share;
  }
}

void SwarmTransfer::refresh_peers(const peer::SwarmStats& stats) {
  const auto lacks = [this](const std::vector<bool>& have) { return ledger_.lacks_any_of(have); };
  if (peers_.update(stats.peers, lacks)) last_new_peer_ = Clock::now();
  peers_.banned(stats.banned);
  file_.explanation.peers = peers_.explain(&file_.explanation.peers_omitted);
  file_.peers = peers_.traffic();
  file_.peers_seen = static_cast<std::uint32_t>(peers_.seen());
  file_.uploaded = stats.uploaded >= uploaded_at_start_ ? stats.uploaded - uploaded_at_start_ : 0;
}

// libtorrent's have-bits may run ahead of its piece_finished alerts (or the alerts lag them):
// either tells the ledger, which counts each piece once.
void SwarmTransfer::refresh_progress(const std::vector<bool>& have) {
  if (have.size() != ledger_.pieces()) return;
  const auto before = ledger_.verified_bytes();
  for (std::uint32_t piece = 0; piece < have.size(); ++piece) {
    if (have[piece]) ledger_.swarm_verified(piece);
  }
  if (ledger_.verified_bytes() > before) {
    update_counts();
    last_progress_ = Clock::now();
    if (!flowing_) {
      flowing_ = true;
      hooks_.data_flowing();
    }
  }
}

bool SwarmTransfer::origin_allowed(const peer::SwarmStats& stats) {
  return origin_.usable(Clock::now()) && peers_had_their_chance(stats);
}

bool SwarmTransfer::peers_had_their_chance(const peer::SwarmStats& stats) const {
  const auto& listed = deps_.hub.explicit_peers();
  PeerChance chance;
  chance.waited = Clock::now() - started_;
  chance.listed_peers = listed.size();
  for (const auto& peer : stats.peers) chance.peers_told += peer.have.empty() ? 0 : 1;
  chance.foreground = settings_.foreground;
  chance.peers_possible = !listed.empty() || deps_.hub.discovery() || !stats.peers.empty();
  chance.peer_connect_wait = deps_.options.peer_connect_wait;
  chance.background_http_delay = deps_.options.background_http_delay;
  chance.foreground_http_delay = deps_.options.foreground_http_delay;
  return swarm::peers_had_their_chance(chance);
}

bool SwarmTransfer::a_peer_has_a_missing_piece(const peer::SwarmStats& stats) const {
  return std::any_of(stats.peers.begin(), stats.peers.end(),
                     [this](const auto& peer) { return ledger_.lacks_any_of(peer.have); });
}

// Neither the origin (no ranges, so no pieces) nor any peer (nothing we lack) can move the file,
// yet the origin can still send all of it in one stream: the owner fetches it that way.
void SwarmTransfer::fall_back_to_http() {
  hand_to_http(peers_.seen() == 0
                   ? "the origin ignores Range requests, and no peer was found"
                   : "the origin ignores Range requests, and no connected peer has the missing "
                     "pieces");
}

void SwarmTransfer::hand_to_http(std::string reason) {
  spdlog::info("{}: {}; fetching the whole file from the origin", file_.url, reason);
  cancel_origin();
  end();
  boost::asio::post(deps_.io, [fall_back = fall_back_to_http_, reason] { fall_back(reason); });
}

PeerView SwarmTransfer::peer_view(const peer::SwarmStats& stats) const {
  PeerView view;
  view.self = deps_.hub.session().peer_id();
  view.available.assign(ledger_.pieces(), false);
  view.live.push_back(view.self);
  view.participants.push_back(view.self);
  for (const auto& peer : stats.peers) {
    for (std::size_t i = 0; i < peer.have.size() && i < view.available.size(); ++i) {
      if (peer.have[i]) view.available[i] = true;
    }
    if (!peer.seed && peer.peer_id != view.self) view.live.push_back(peer.peer_id);
  }
  // Our own id too may be in the tally: a tracker hands a machine its own address, and the
  // connection to itself is seen before libtorrent drops it.
  for (auto& id : peers_.downloaders()) {
    if (id != view.self) view.participants.push_back(std::move(id));
  }
  return view;
}

// The planner decides (origin_planner.h); this carries it out.
void SwarmTransfer::plan_origin(const peer::SwarmStats& stats) {
  if (!origin_allowed(stats)) return;
  const auto view = peer_view(stats);
  // Measured from when the origin came into play: waiting for peers to connect is not a stall.
  const auto now = Clock::now();
  if (origin_allowed_since_ == Clock::time_point{}) {
    origin_allowed_since_ = now;
    spdlog::debug("{}: origin in play after {} ms with {} peers connected, {} known", file_.url,
                  std::chrono::duration_cast<std::chrono::milliseconds>(now - started_).count(),
                  stats.peers.size(), peers_.seen());
    explain_origin_in_play(stats);
  }
  const PlanTimes times{now, started_, last_progress_, origin_allowed_since_, last_new_peer_};
  const bool is_stalled = stalled(times);
  if (is_stalled != was_stalled_) {
    was_stalled_ = is_stalled;
    spdlog::debug("{}: {}; {} of {} bytes verified", file_.url,
                  is_stalled ? "no piece for a while: the origin takes any missing piece"
                             : "pieces arrive again: deconfliction resumes",
                  ledger_.verified_bytes(), ledger_.size());
  }
  if (!is_stalled) {
    for (const auto key : planner_.foreign_requests(ledger_, view, origin_.open_requests())) {
      origin_.cancel(key);
    }
  }
  PlanLimits limits;
  limits.max_requests = settings_.max_bytes_per_second > 0
                            ? 1
                            : std::max<std::uint32_t>(1, deps_.options.connections_per_file);
  limits.max_run =
      std::max<std::uint32_t>(1, static_cast<std::uint32_t>(kMaxRunBytes / meta_.piece_size));
  limits.max_unchecked = kMaxUnverifiedBytes;
  const bool settling =
      discovery_settling(times, deps_.hub.discovery() && deps_.hub.explicit_peers().empty());
  for (const auto& run :
       planner_.runs_to_launch(ledger_, view, origin_.runs(), is_stalled, settling, limits)) {
    file_.explanation.origin_request(ledger_.offset_of(run.first),
                                     ledger_.offset_of(run.end - 1) + ledger_.size_of(run.end - 1),
                                     why_origin(ledger_, view, run, is_stalled, settling));
    for (auto piece = run.first; piece < run.end; ++piece) ledger_.request(piece);
    origin_.launch(run.first, run.end, file_);
  }
}

// The explanation's piece counts are this run's; its notes and origin requests go on from the
// runs before (bounded).
void SwarmTransfer::explain_start() {
  auto& explanation = file_.explanation;
  explanation.piece_size = meta_.piece_size;
  explanation.pieces_total = ledger_.pieces();
  explanation.pieces_from_origin = explanation.pieces_from_peers = 0;
  const auto earlier = ledger_.earlier_run_pieces();
  explanation.pieces_from_earlier_run =
      static_cast<std::uint32_t>(std::count(earlier.begin(), earlier.end(), true));
  explanation.note("swarm of " + std::to_string(ledger_.pieces()) + " pieces of " +
                   std::to_string(meta_.piece_size) + " bytes, metadata from " +
                   file_.metadata_source.value_or("the origin") +
                   (explanation.pieces_from_earlier_run > 0
                        ? ", " + std::to_string(explanation.pieces_from_earlier_run) +
                              " pieces kept from an earlier run"
                        : std::string()));
}

// When the origin may be asked, and what gave the peers their chance first.
void SwarmTransfer::explain_origin_in_play(const peer::SwarmStats& stats) {
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
                         settings_.foreground ? deps_.options.foreground_http_delay
                                              : deps_.options.background_http_delay)
                         .count();
  std::string why;
  if (!deps_.hub.discovery() && deps_.hub.explicit_peers().empty() && stats.peers.empty()) {
    why = "no peer can be found (no discovery, no listed peer)";
  } else if (delay > 0) {
    why = std::string(settings_.foreground ? "the foreground" : "the background") +
          " HTTP delay (" + std::to_string(delay) + " ms) is over";
  } else {
    why = std::string(settings_.foreground ? "foreground" : "background") +
          " jobs have no HTTP delay";
  }
  file_.explanation.note("origin in play after " + std::to_string(waited) + " ms: " + why + "; " +
                         std::to_string(stats.peers.size()) + " peers connected");
}

// Between ticks, a finished request or a verified origin piece frees room in the pipeline: fill
// it at once (with the last tick's view of the peers) rather than at the next tick.
void SwarmTransfer::request_plan() {
  if (plan_posted_ || !last_stats_) return;
  plan_posted_ = true;
  boost::asio::post(deps_.io, [this, alive = alive_] {
    if (!*alive) return;
    plan_posted_ = false;
    if (!finished_ && !complete_ && last_stats_) plan_origin(*last_stats_);
  });
}

// A whole piece from the origin, unless a peer's copy was verified meanwhile.
void SwarmTransfer::on_origin_piece(std::uint32_t piece, std::vector<char> data) {
  if (ledger_[piece].fetch != PieceFetch::kRequested) return;
  if (direct_) {
    ledger_.start_write(piece);
    write_direct(piece, std::move(data));
  } else {
    ledger_.hand_to_swarm(piece, Clock::now());
    check_for_swarm(piece, std::move(data));
  }
}

// An origin piece is checked (against the piece layer, on the pool) before libtorrent sees it:
// libtorrent blames every source of a piece that fails, so bad origin bytes in a piece a peer
// also sent blocks of would get that peer banned.
void SwarmTransfer::check_for_swarm(std::uint32_t piece, std::vector<char> data) {
  boost::asio::post(deps_.pool, [this, piece, data = std::move(data), meta = shared_meta_,
                                 alive = alive_, &io = deps_.io]() mutable {
    // A provisional swarm's origin piece has no hash to match yet: its root is this machine's.
    const auto root = meta->provisional ? peer::piece_root(*meta, piece, data) : std::string();
    const bool matches =
        meta->provisional ? !root.empty() : peer::piece_matches(*meta, piece, data);
    boost::asio::post(io, [this, piece, matches, data = std::move(data), root = std::move(root),
                           alive]() mutable {
      if (*alive) on_checked_for_swarm(piece, matches, std::move(data), std::move(root));
    });
  });
}

void SwarmTransfer::on_checked_for_swarm(std::uint32_t piece, bool matches, std::vector<char> data,
                                         std::string root) {
  // A peer's copy was verified meanwhile, or the check took too long: not needed.
  if (ledger_[piece].fetch != PieceFetch::kChecking || finished_ || complete_) return;
  if (!matches) {
    ledger_.check_failed(piece);
    origin_piece_failed(piece);
    return;
  }
  if (!root.empty()) deps_.hub.session().learn_piece_root(lease_->swarm(), piece, root);
  // Counted when libtorrent says it verified the piece, not now.
  if (auto added = deps_.hub.session().add_piece(lease_->swarm(), piece, std::move(data)); !added) {
    spdlog::warn("{}: piece {}: {}", file_.url, piece, added.error().message);
    ledger_.check_failed(piece);
    request_plan();
    return;
  }
  ledger_.hand_to_swarm(piece, Clock::now());
}

// The origin sent bytes that its own metadata rejects: the piece is fetched again, unless that
// keeps happening.
void SwarmTransfer::origin_piece_failed(std::uint32_t piece) {
  ledger_.origin_rejected(piece);
  count_discarded(file_, ledger_.size_of(piece));
  if (claim_) {
    refute_claim("origin piece " + std::to_string(piece) + " does not match it");
    return;
  }
  if (++origin_hash_failures_ >= kMaxOriginHashFailures) {
    fail(origin::FetchError{
        api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kChecksumMismatch, 0,
                   "the origin's data does not match its metadata (piece " + std::to_string(piece) +
                       " failed its hash check; " + std::to_string(origin_hash_failures_) +
                       " failures)",
                   file_.url, origin::protocol_of(file_.url)},
        false,
        {}});
    return;
  }
  request_plan();
}

void SwarmTransfer::write_direct(std::uint32_t piece, std::vector<char> data) {
  boost::asio::post(deps_.pool, [this, piece, data = std::move(data), meta = shared_meta_,
                                 writer = lease_->writer(), offset = ledger_.offset_of(piece),
                                 mirror = destination_.mirror(), object_lock = object_write_lock_,
                                 alive = alive_, &io = deps_.io] {
    const auto root = meta->provisional ? peer::piece_root(*meta, piece, data) : std::string();
    const bool matches =
        meta->provisional ? !root.empty() : peer::piece_matches(*meta, piece, data);
    api::Result<void> written;
    if (matches && !writer) {
      written = std::unexpected(api::Error{api::ErrorContext::kCache, api::ErrorKind::kInvalidState,
                                           0, "the cached item is complete already", "",
                                           api::Protocol::kLocal});
    } else if (matches) {
      {
        // One writer at a time: ext4 serializes writes to a file anyway, and pool threads
        // spinning on its lock took a second of CPU per GiB here (bench/first_peer, perf).
        std::lock_guard lock(*object_lock);
        written = writer->write(data, offset);
      }
      if (written && mirror) written = mirror->write_piece(piece, data);
    }
    boost::asio::post(io, [this, piece, matches, written, root = std::move(root), alive] {
      if (*alive) on_direct_written(piece, matches, written, root);
    });
  });
}

void SwarmTransfer::on_direct_written(std::uint32_t piece, bool matches, api::Result<void> written,
                                      std::string root) {
  if (!written) {
    ledger_.direct_written(piece, false);
    fail_local(written.error(), written.error().kind == api::ErrorKind::kDiskFull);
    return;
  }
  if (!ledger_.direct_written(piece, matches)) {
    origin_piece_failed(piece);
    return;
  }
  // Passed on to peers once libtorrent learns the piece (the reload that ends direct mode).
  if (!root.empty()) deps_.hub.session().learn_piece_root(lease_->swarm(), piece, root);
  ++direct_pieces_;
  update_counts();
  last_progress_ = Clock::now();
  maybe_share_direct_pieces();
  if (finished_) return;
  if (direct_ && ledger_.complete()) {
    // Every piece came from the origin through us: the swarm learns it has them all (and
    // seeds), then the file is copied out as usual.
    if (auto shared = deps_.hub.reload(*lease_, ledger_.verified_pieces()); !shared) {
      spdlog::warn("{}: cannot seed the finished file: {}", file_.url, shared.error().message);
    }
    on_swarm_finished();
    return;
  }
  request_plan();
}

// Once the writes in flight have landed, libtorrent is told every piece we have, so that the
// peers that appeared can be served our origin pieces too.
void SwarmTransfer::maybe_share_direct_pieces() {
  if (!sharing_pending_ || ledger_.writes_pending() || finished_ || complete_) return;
  sharing_pending_ = false;
  spdlog::debug("{}: a peer appeared; handing libtorrent the pieces written so far", file_.url);
  if (auto shared = deps_.hub.reload(*lease_, ledger_.verified_pieces()); !shared) {
    fail_local(shared.error(), false);
  }
}

void SwarmTransfer::on_piece_finished(std::uint32_t piece) {
  // Not joined yet (the lease exists, on_joined is posted): another job's swarm, whose pieces
  // are not this transfer's to count; a follower counts its file as from the cache at the end.
  if (piece >= ledger_.pieces() || complete_ || following_ || !lease_) return;
  const bool ours = ledger_[piece].fetch == PieceFetch::kChecking;
  // Verified before the next tick's view: the plan must not fetch it again.
  if (!ledger_.swarm_verified(piece)) return;
  update_counts();
  last_progress_ = Clock::now();
  if (ours) request_plan();
}

// libtorrent rejected a piece. A peer's bad data: libtorrent blames and bans. Ours was checked
// before it was handed over (check_for_swarm), so a failure of a piece we gave means blocks
// from elsewhere mixed into it: it is fetched again, and the origin is not held to it.
void SwarmTransfer::on_hash_failed(std::uint32_t piece) {
  if (following_) return;
  if (ledger_.check_failed(piece)) request_plan();
}

void SwarmTransfer::on_swarm_finished() {
  if (complete_ || finished_) return;
  if (!lease_) {
    // Another job's swarm of the same content finished while this one's join was still posted
    // (a resumed job and a new one in one home, lab round 2: a segfault on lease_ here). The
    // join decides what that means for us (see on_joined).
    finished_before_join_ = true;
    return;
  }
  complete_ = true;
  spdlog::debug("{}: every piece verified; copying it out of the cache", file_.url);
  // libtorrent's status can say "complete" before the last piece_finished alerts are drained
  // (seen on a loaded machine: 3 pieces of a lab peer counted nowhere). Filled by another job:
  // for this one, the content came from the cache.
  if (!following_) {
    ledger_.all_verified();
    update_counts();
  }
  cancel_origin();
  timer_.cancel();
  const auto stats = deps_.hub.session().stats(lease_->swarm());
  refresh_peers(stats);
  update_reason();
  // A peer's claim, or a provisional swarm's roots, are checked against the whole file's
  // SHA-256 before the item is complete.
  std::optional<std::string> expected_sha256;
  if ((claim_ || meta_.provisional) && !following_) expected_sha256 = file_.sha256;
  deps_.hub.finish_item(
      *lease_,
      [this, alive = alive_](api::Result<void> finished) {
        if (!*alive) return;
        if (!finished && claim_ && finished.error().kind == api::ErrorKind::kChecksumMismatch) {
          refute_claim(finished.error().message);
          return;
        }
        if (!finished && meta_.provisional &&
            finished.error().kind == api::ErrorKind::kChecksumMismatch) {
          if (ledger_.bytes_from(PieceSource::kPeers) == 0) {
            // Every byte came from the origin: its file is not the content the caller named (as
            // over HTTP alone), and fetching it again would not change that.
            fail(origin::FetchError{
                api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kChecksumMismatch, 0,
                           finished.error().message, file_.url, origin::protocol_of(file_.url)},
                false,
                {}});
            return;
          }
          give_up_provisional(finished.error().message);
          return;
        }
        if (!finished) {
          fail_local(finished.error(), finished.error().kind == api::ErrorKind::kDiskFull);
          return;
        }
        // Filled by this job: its owner fetched it. Filled by another job: maybe another user's,
        // and for this job the content comes from the cache.
        admit_and_copy_out(!following_, following_);
      },
      std::move(expected_sha256));
}

// The complete item is copied out only for a user who may have it: one who fetched it, or whose
// own origin (this job's URL and headers) now confirms it by answering for a file of its size.
// `from_cache`: the bytes count as the cache's once they may be copied.
void SwarmTransfer::admit_and_copy_out(bool fetched, bool from_cache) {
  deps_.hub.admit(*lease_, settings_.owner_uid, fetched, !settings_.sends_credentials(file_.url),
                  [this, from_cache, alive = alive_](api::Result<cache::CacheAccess> access) {
                    if (!*alive) return;
                    if (!access) {
                      fail_local(access.error(), false);
                    } else if (*access == cache::CacheAccess::kGranted) {
                      if (from_cache) {
                        count_received(file_, ByteRange{0, meta_.size}, ByteSource::kCache);
                        update_reason();
                      }
                      copy_out();
                    } else if (*access == cache::CacheAccess::kAskOrigin) {
                      confirm_with_origin();
                    } else if (settings_.sends_credentials(file_.url) && fall_back_to_http_) {
                      // Another user's private item (a group's private swarm). An origin's
                      // answer for the size would not prove this user may have it (the URL is
                      // the user's to choose): the whole file comes from the origin, with this
                      // job's credentials, checked against the metadata.
                      hand_to_http(
                          "this machine's copy of this private content is another user's: the "
                          "file comes from the origin with this job's credentials");
                    } else {
                      fail_local(api::Error{api::ErrorContext::kCache, api::ErrorKind::kInternal, 0,
                                            "the cached content is not this user's", file_.url,
                                            api::Protocol::kLocal},
                                 false);
                    }
                  });
}

void SwarmTransfer::confirm_with_origin() {
  spdlog::debug("{}: another user fetched this content; asking the origin first", file_.url);
  admission_ = std::make_unique<OriginFetcher>(deps_.http, file_.url, settings_.request_options());
  admission_->probe(file_, false,
                    [this](std::expected<origin::RemoteIdentity, origin::FetchError> result) {
                      if (!result) {
                        fail(std::move(result.error()));
                        return;
                      }
                      if (result->size != meta_.size) {
                        fail(size_contradicts_metadata(file_, meta_.size, result->size));
                        return;
                      }
                      admit_and_copy_out(true, true);
                    });
}

// The verified content goes to the job's temporary file: a separate copy (reflink where the
// file system can), so that the cache and the destination never share data.
void SwarmTransfer::copy_out() {
  if (!flowing_) {
    flowing_ = true;
    hooks_.data_flowing();
  }
  destination_.finish(
      lease_->data_path(), file_.sha256.has_value(),
      [this](api::Result<void> copied, std::optional<api::Result<std::string>> hash) {
        on_copied(copied, hash);
      });
}

void SwarmTransfer::on_copied(api::Result<void> copied,
                              std::optional<api::Result<std::string>> hash) {
  if (!copied) {
    fail_local(copied.error(), copied.error().kind == api::ErrorKind::kDiskFull);
    return;
  }
  if (hash && !*hash) {
    fail_local(hash->error(), false);
    return;
  }
  if (hash && **hash != *file_.sha256) {
    // The metadata and the caller disagree about the content: the caller's hash wins.
    destination_.discard();
    file_.verified.clear();
    hooks_.persist(file_);
    fail(origin::FetchError{
        api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kChecksumMismatch, 0,
                   "SHA-256 mismatch: expected " + *file_.sha256 + ", got " + **hash, file_.url,
                   origin::protocol_of(file_.url)},
        false,
        {}});
    return;
  }
  file_.verified = RangeSet({ByteRange{0, meta_.size}});
  file_.completed = true;
  update_reason();
  hooks_.persist(file_);
  end();
  boost::asio::post(deps_.io, [done = hooks_.done] { done({}); });
}

// Verified pieces not in the temporary file yet go there once they are surely in the cache
// item's file: libtorrent's writes are flushed first (ours are done when we hear of them). The
// pieces synced there are the progress a checkpoint commits (file_.verified).
void SwarmTransfer::keep_destination() {
  if (!complete_) {
    destination_.copy_verified([this](std::function<void(bool)> done) {
      deps_.hub.session().flush(lease_->swarm(), std::move(done));
    });
  }
  destination_.checkpoint(file_.verified, [this](const RangeSet& durable) {
    file_.verified = durable;
    hooks_.persist(file_);
  });
}

void SwarmTransfer::update_reason() {
  if (file_.from_peers > 0) {
    file_.peers_unused_reason.reset();
  } else if (file_.from_cache > 0 && file_.from_origin == 0) {
    file_.peers_unused_reason = "served from the local cache";
  } else if (auto refuted =
                 file_.sha256 ? deps_.hub.rendezvous().refutation(*file_.sha256) : std::nullopt) {
    // The peer that offered the content lied: why no peer gave anything.
    file_.peers_unused_reason = std::move(refuted);
  } else if (peers_.seen() == 0) {
    file_.peers_unused_reason = "no peer found";
  } else {
    file_.peers_unused_reason = "peers had no pieces to give";
  }
}

void SwarmTransfer::fail_local(const api::Error& error, bool transient) {
  fail(local_failure(error, transient));
}

void SwarmTransfer::fail(origin::FetchError error) {
  if (finished_) return;
  cancel_origin();
  update_reason();
  end();
  boost::asio::post(
      deps_.io, [done = hooks_.done, error = std::move(error)] { done(std::unexpected(error)); });
}

void SwarmTransfer::stop() {
  if (finished_) return;
  cancel_origin();
  update_reason();
  hooks_.persist(file_);
  end();
}

void SwarmTransfer::end() {
  finished_ = true;
  *alive_ = false;
  timer_.cancel();
  cancel_origin();
  lease_.reset();
}

void SwarmTransfer::cancel_origin() {
  origin_.cancel_all();
  if (admission_) admission_->cancel_all();
}

}  // namespace swarmcopy::engine::swarm
