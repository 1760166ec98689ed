// FileTransfer: one file of a running job, routed to the way it comes. In lan mode a file whose
// metadata the origin publishes goes to a SwarmTransfer (peers and the origin together); every
// other file, and a file the swarm gives back (the origin ignores Range requests and no peer has
// pieces to give), goes to an HttpTransfer, which checks the whole file against the metadata's
// piece hashes when there is metadata. Private content (fetched with credentials) never goes to
// the swarm.
//
// The transfer running holds the file's live record; this class only passes it on.
// Engine thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_transfer.h"
#include "job_record.h"
#include "origin_fetcher.h"
#include "swarm/metadata_fetch.h"
#include "swarm/swarm_hub.h"
#include "swarm/swarm_transfer.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/engine/engine_options.h"
#include "swarmcopy/origin/http_client.h"
#include "transfer_hooks.h"

namespace swarmcopy::engine {

class FileTransfer {
 public:
  struct Deps {
    boost::asio::io_context& io;
    boost::asio::thread_pool& pool;
    origin::HttpClient& http;
    const EngineOptions& options;
    cache::ContentStore* cache = nullptr;  // null: no cache
    // The engine's swarm, opened on first use; an error: peers cannot be used.
    std::function<api::Result<swarm::SwarmHub*>()> swarm_hub;
  };
  using Hooks = TransferHooks;
  using Settings = TransferSettings;

  FileTransfer(Deps deps, FileRecord file, Settings settings, Hooks hooks);
  ~FileTransfer();
  FileTransfer(const FileTransfer&) = delete;
  FileTransfer& operator=(const FileTransfer&) = delete;

  void start();
  // Aborts every request and keeps what was verified (see HttpTransfer::stop and
  // SwarmTransfer::stop). No hook runs after stop() returns.
  void stop();

  // The live view: identity, counters, and bytes written so far (synced or not).
  const FileRecord& file() const;
  std::uint64_t bytes_written() const;
  std::uint32_t peers_connected() const { return swarm_ ? swarm_->peers_connected() : 0; }

 private:
  void route();
  // Copies `key` from another cache of this user when this one lacks it (off the engine
  // thread; ContentStore::import_from_siblings), then runs `next` unless stopped meanwhile.
  // While another home of the user fetches the same item, waits for it (polling) and then
  // copies it; otherwise this home claims the fetch (kept until the transfer ends).
  void take_from_sibling_caches(std::string key, cache::ContentStore::Verifier verify,
                                std::function<void()> next);
  std::optional<std::string> too_small_to_peer(std::optional<std::uint64_t> size) const;
  void start_http(std::optional<std::string> peers_unused_reason,
                  std::shared_ptr<const peer::Metainfo> expected_pieces = nullptr);
  void start_metadata();
  void on_metadata(std::expected<swarm::MetadataResult, origin::FetchError> result);
  void on_swarm_fell_back(std::string reason);
  void find_site_metainfo(std::string absent_reason);
  void ask_rendezvous(std::string absent_reason);
  // Whether this cache holds the complete item of content `sha256` (asked on the pool); `then`
  // runs on the engine thread unless stopped meanwhile.
  void when_cached(const std::string& sha256, std::function<void(bool cached)> then);
  // Content nobody on the site offered: the provisional swarm of the machines that want it
  // (SwarmTransfer's provisional metadata), once the origin told its size.
  void start_provisional(swarm::SwarmHub& hub, std::string absent_reason);
  // `done` wrapped so that content nobody published, once verified here, is offered at its
  // rendezvous (end_fetching_for_site).
  Hooks offering_hooks();
  void ask_origin_for_digest(std::string absent_reason);
  void end_fetching_for_site(bool fetched);
  void start_swarm(swarm::SwarmHub& hub, peer::Metainfo meta,
                   std::optional<peer::MetainfoClaim> claim, std::optional<Hooks> hooks = {});

  Deps deps_;
  FileRecord file_;  // until a transfer takes it over
  Settings settings_;
  Hooks hooks_;
  std::unique_ptr<swarm::MetadataFetch> metadata_;
  std::unique_ptr<OriginFetcher> probe_;         // asks the origin for the file's digest
  std::unique_ptr<swarm::SwarmTransfer> swarm_;  // set: the swarm has the file
  std::unique_ptr<HttpTransfer> http_;           // set: HTTP alone has it
  bool stopped_ = false;
  // This home's claim to fetch items the user's other homes may want too (see above).
  std::vector<cache::SiblingCaches::FetchClaim> fetch_claims_;
  std::unique_ptr<boost::asio::steady_timer> sibling_wait_;
  bool told_waiting_ = false;
  // Content nobody published, that nobody on the site offered: once HTTP has it verified, this
  // machine offers it (SwarmHub::seed_fetched).
  bool offer_when_fetched_ = false;
  // The origin's size, as a probe for its digest or size told it (the file's record learns it
  // only in a transfer, where it is compared).
  std::optional<std::uint64_t> origin_size_;
  // The job sends credentials and the engine peers such content within its group (an SSL
  // swarm: PeerOptions::peers_private_content).
  bool private_ = false;
  // That probe's answer, for the swarm to take instead of asking again (use_origin_answer).
  std::optional<origin::RemoteIdentity> origin_answer_;
  // Counts this file among its budget's users while it runs (ByteBudget::share).
  util::ByteBudget::User budget_user_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine
