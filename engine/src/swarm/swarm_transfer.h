// SwarmTransfer: downloads one file whose metadata the origin published, from LAN peers and
// the origin at the same time, into the content cache's item for it (the swarm's data), then
// copies the verified file into the job's temporary file.
//
// Every piece is checked by libtorrent against the metadata, whatever its source: peers' pieces
// arrive through the swarm; the origin's arrive over HTTP in ranges of whole pieces and are
// handed over with add_piece, counted only once libtorrent reports them verified (with our own
// timeout, since a dropped add_piece reports nothing). Where each piece stands and where it came
// from is the PieceLedger's (piece_ledger.h); which pieces the origin serves, and when, the
// OriginPlanner's (origin_planner.h). This class carries out what they say.
//
// An origin that ignores Range requests cannot serve pieces. While peers have pieces for us,
// they serve the file alone; once the peers have had their chance and none has a piece we lack,
// the transfer ends without `done` and calls its `FallBackToHttp` hook instead: its owner then
// fetches the file from the origin in one stream (and checks it against the metadata).
//
// Engine thread only; blocking work (sync, copy, hash) goes to the pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "destination_file.h"
#include "origin_fetcher.h"
#include "origin_pieces.h"
#include "origin_planner.h"
#include "peer_tally.h"
#include "piece_ledger.h"
#include "swarm_hub.h"
#include "swarmcopy/engine/engine_options.h"
#include "swarmcopy/origin/http_client.h"
#include "swarmcopy/peer/metainfo.h"
#include "transfer_hooks.h"

namespace swarmcopy::engine::swarm {

class SwarmTransfer {
 public:
  struct Deps {
    boost::asio::io_context& io;
    boost::asio::thread_pool& pool;
    origin::HttpClient& http;
    const EngineOptions& options;
    SwarmHub& hub;
  };

  // Posted at most once, instead of `done`, when the origin ignores Range requests and no peer
  // can serve the file, or the cache's copy of private content is another user's; `reason`
  // says so, for the file's peers_unused_reason. The transfer has
  // ended by then (file() and metadata() stay readable). Unset: that situation is an error.
  using FallBackToHttp = std::function<void(std::string reason)>;

  SwarmTransfer(Deps deps, FileRecord file, peer::Metainfo meta, TransferSettings settings,
                TransferHooks hooks, FallBackToHttp fall_back_to_http = {});
  ~SwarmTransfer();
  SwarmTransfer(const SwarmTransfer&) = delete;
  SwarmTransfer& operator=(const SwarmTransfer&) = delete;

  // The metadata is a peer's claim (content nobody published, SiteRendezvous), not the origin's:
  // an origin piece that does not match it, an origin size that contradicts it, or a finished
  // file whose SHA-256 (file_.sha256) is another refute it — the claim is reported to the
  // rendezvous, the transfer ends and falls back to HTTP (FallBackToHttp, with the reason; its
  // metadata() is then null). Call before start().
  void use_claim(peer::MetainfoClaim claim);
  bool claim_refuted() const { return claim_refuted_; }
  // The origin answered a probe for this file moments ago (FileTransfer asked it for the size of
  // content nobody published): the transfer takes that answer instead of asking again. Call
  // before start().
  void use_origin_answer(origin::RemoteIdentity identity) { origin_answer_ = std::move(identity); }

  void start();
  // Aborts origin requests and leaves the swarm; what libtorrent verified stays in the cache's
  // partial item (re-checked when the file resumes). No hook runs after stop() returns.
  void stop();

  const FileRecord& file() const { return file_; }
  // The metadata is provisional (peer::make_provisional_metainfo: content nobody published that
  // nobody on the site holds whole yet): pieces are checked against the roots the machines that
  // fetched them announce, this machine's origin pieces give their own, and the whole file must
  // have the SHA-256 (file_.sha256) before it counts. A peer whose root this machine's origin
  // bytes contradict is distrusted; if pieces it vouched for were taken already, or the whole
  // file fails its SHA-256, the transfer falls back to HTTP (FallBackToHttp; provisional_failed()).
  bool provisional_failed() const { return provisional_failed_; }

  // The metadata the file was checked against (null: a claim that was refuted, or provisional
  // metadata, which has no piece hashes to check the HTTP path's file against).
  std::shared_ptr<const peer::Metainfo> metadata() const {
    return claim_refuted_ || meta_.provisional ? nullptr : shared_meta_;
  }
  std::uint64_t bytes_written() const { return ledger_.verified_bytes(); }
  std::uint32_t peers_connected() const;

 private:
  void on_joined(api::Result<std::shared_ptr<SwarmHub::Lease>> lease);
  void on_lead();
  void start_filling();
  OriginPieces::Handlers origin_handlers();
  bool on_origin_identified(const origin::RemoteIdentity& identity);
  void on_origin_piece(std::uint32_t piece, std::vector<char> data);
  void tick();
  void schedule_tick();
  void keep_to_budget(const peer::SwarmStats& stats);
  void refresh_peers(const peer::SwarmStats& stats);
  void refresh_progress(const std::vector<bool>& have);
  bool origin_allowed(const peer::SwarmStats& stats);
  bool peers_had_their_chance(const peer::SwarmStats& stats) const;
  bool a_peer_has_a_missing_piece(const peer::SwarmStats& stats) const;
  void fall_back_to_http();
  // Ends the transfer and posts fall_back_to_http_ with `reason` (the file then comes from the
  // origin alone, checked against the metadata).
  void hand_to_http(std::string reason);
  void refute_claim(const std::string& why);
  PeerView peer_view(const peer::SwarmStats& stats) const;
  void plan_origin(const peer::SwarmStats& stats);
  void request_plan();
  void check_for_swarm(std::uint32_t piece, std::vector<char> data);
  // `root`: a provisional swarm's piece root this machine computed from the origin's bytes.
  void on_checked_for_swarm(std::uint32_t piece, bool matches, std::vector<char> data,
                            std::string root);
  void origin_piece_failed(std::uint32_t piece);
  void write_direct(std::uint32_t piece, std::vector<char> data);
  void on_direct_written(std::uint32_t piece, bool matches, api::Result<void> written,
                         std::string root);
  void on_root_conflict(const peer::RootConflict& conflict);
  void give_up_provisional(const std::string& why);
  void hand_back_to_origin(const std::string& reason);
  void maybe_share_direct_pieces();
  void on_piece_finished(std::uint32_t piece);
  void on_hash_failed(std::uint32_t piece);
  void on_swarm_finished();
  void update_counts();
  void explain_start();
  void explain_origin_in_play(const peer::SwarmStats& stats);
  void admit_and_copy_out(bool fetched, bool from_cache);
  void confirm_with_origin();
  void copy_out();
  void on_copied(api::Result<void> copied, std::optional<api::Result<std::string>> hash);
  void keep_destination();
  void update_reason();
  void fail(origin::FetchError error);
  void fail_local(const api::Error& error, bool transient);
  void cancel_origin();
  void end();

  Deps deps_;
  FileRecord file_;
  peer::Metainfo meta_;
  std::shared_ptr<const peer::Metainfo> shared_meta_;  // the same, for the pool's work
  TransferSettings settings_;
  TransferHooks hooks_;
  FallBackToHttp fall_back_to_http_;
  PieceLedger ledger_;  // every piece's state and source
  OriginPlanner planner_;
  OriginPieces origin_;
  // Asks the origin whether this user may have content another user fetched.
  std::unique_ptr<OriginFetcher> admission_;
  std::shared_ptr<SwarmHub::Lease> lease_;
  DestinationFile destination_;  // the job's temporary file
  boost::asio::steady_timer timer_;

  std::optional<peer::SwarmStats> last_stats_;  // as of the last tick
  // Peers' bytes charged to settings_.budget so far, and the swarm's download cap as last set
  // (keep_to_budget; nullopt: never set).
  std::uint64_t peer_bytes_charged_ = 0;
  std::optional<std::uint64_t> download_limit_;
  bool plan_posted_ = false;
  bool was_stalled_ = false;  // as of the last plan (logged when it changes)
  bool complete_ = false;
  // Another job fills the same content (SwarmHub::Lease::fills): this one waits for it.
  bool following_ = false;
  std::uint32_t origin_hash_failures_ = 0;
  std::optional<peer::MetainfoClaim> claim_;  // the metadata came from this peer
  bool claim_refuted_ = false;
  bool provisional_failed_ = false;
  std::optional<origin::RemoteIdentity> origin_answer_;  // use_origin_answer()'s
  std::set<std::string> distrusted_;   // peers (ids) a provisional swarm's roots were refuted of
  bool finished_before_join_ = false;  // the swarm's finish came before on_joined
  // Direct mode: while no peer is connected, origin pieces are checked (against the v2 piece
  // layer, peer::piece_matches) and written into the cache item by us, on the pool — several
  // times faster than handing them to libtorrent, which hashes again and copies
  // (bench/first_peer). The first peer ends it: libtorrent is told our pieces
  // (SwarmHub::reload) once the writes drain. After it, origin pieces are still checked by us
  // first (check_for_swarm), then handed to libtorrent.
  bool direct_ = true;
  bool sharing_pending_ = false;
  std::uint32_t direct_pieces_ = 0;  // written and verified by us
  // Held by the pool thread writing into the cache item (see write_direct).
  std::shared_ptr<std::mutex> object_write_lock_ = std::make_shared<std::mutex>();
  PeerTally peers_;  // every peer ever connected, what it gave and took
  std::uint64_t uploaded_at_start_ = 0;
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point last_progress_{};
  std::chrono::steady_clock::time_point origin_allowed_since_{};  // first time plan_origin ran
  std::chrono::steady_clock::time_point last_new_peer_{};         // a peer id first seen
  bool flowing_ = false;
  bool finished_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine::swarm
