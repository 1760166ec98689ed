// SwarmHub: the engine's one peer session and its swarms, one per content item. A job's file
// joins the swarm of its content and gets a Lease; the swarm's data lives in the content cache
// (a partial item while it is filled, a complete one after), so what peers send is checked
// into the daemon's own area, never into a user's directory, and a finished download is
// already cached. When the last lease goes, a complete item keeps being seeded for
// EngineOptions::seed_time; an incomplete one leaves the session (its data stays, partial, for
// the next attempt). The metainfo is kept in the cache with the item, so that a later engine
// on the same state directory serves what was used within the last seed_time for the rest of
// that time (find_reseeds, then reseed).
//
// Engine thread only. Cache work that blocks (a re-check after an unclean shutdown, reserving
// space) runs on the pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "site_rendezvous.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/cache/partial_item.h"
#include "swarmcopy/engine/engine_options.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"

namespace swarmcopy::engine::swarm {

class SwarmHub {
 public:
  // What a transfer hears from its swarm.
  struct Listener {
    std::function<void(std::uint32_t piece)> piece_finished;
    std::function<void(std::uint32_t piece)> hash_failed;
    std::function<void()> finished;
    std::function<void(api::Error)> failed;
    // A provisional swarm's piece got two different roots (peer::RootConflict).
    std::function<void(peer::RootConflict)> root_conflict;
    // This transfer fills the item from now on: the one that did left before it was complete.
    std::function<void()> lead;
    // The job's owner: granted the item when this transfer's filling completes it (see
    // finish_item). None: nobody is.
    std::optional<std::uint32_t> owner_uid;
    // The job fetched the content with credentials (a group's private swarm): the item is
    // granted to its owner alone, never shared with the machine's other users.
    bool private_content = false;
  };

  class Lease {
   public:
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    peer::SwarmId swarm() const { return swarm_; }
    // The cache item's file: complete (seed from it, copy out of it) or being filled. For
    // reading: bytes enter it only through writer().
    const std::filesystem::path& data_path() const;
    // The incomplete item's writer (shared with the swarm's disk layer); null once complete.
    std::shared_ptr<const cache::PartialItem> writer() const;
    bool complete() const;
    // One transfer fills an incomplete item (asks the origin, writes pieces); any other job
    // for the same content waits for it (Listener::finished) and copies the result: two jobs
    // fetching the same content used the same peer id and asked the origin for every piece
    // twice. When the filler leaves first, the next one leads (Listener::lead).
    bool fills() const;

   private:
    friend class SwarmHub;
    Lease(SwarmHub* hub, std::string key, peer::SwarmId swarm, Listener listener);
    SwarmHub* hub_;
    std::string key_;
    peer::SwarmId swarm_;
    std::uint64_t listener_id_ = 0;
  };
  using JoinDone = std::function<void(api::Result<std::shared_ptr<Lease>>)>;

  // A complete item an earlier process used: checked, pinned, with the seed time it has left.
  struct Reseed {
    peer::Metainfo meta;
    cache::Pin pin;
    std::chrono::seconds left{0};
  };
  // The complete swarm items of `cache` last used within `seed_time`, with their kept metainfo
  // (none, or one that does not match its key: not served). After an unclean shutdown each one
  // is checked against its metainfo first: seed_mode trusts the data. Blocking: on the pool.
  static std::vector<Reseed> find_reseeds(cache::ContentStore& cache,
                                          std::chrono::seconds seed_time);

  // Opens the peer session (listening as options say; on_listening hears the port).
  static api::Result<std::unique_ptr<SwarmHub>> open(boost::asio::io_context& io,
                                                     boost::asio::thread_pool& pool,
                                                     cache::ContentStore& cache,
                                                     const EngineOptions& options);
  ~SwarmHub();
  SwarmHub(const SwarmHub&) = delete;
  SwarmHub& operator=(const SwarmHub&) = delete;

  // Joins the swarm of `meta`'s content; `done` runs on the engine thread, never inline. An
  // error: the cache cannot hold it (too large, disk full ...) — the caller goes HTTP only.
  // A provisional metainfo (peer::make_provisional_metainfo) fills the content's "sha256-" item,
  // the one HTTP fills: complete only once the whole file has that SHA-256 (finish_item's
  // expected_sha256), then offered like content fetched over HTTP (seed_fetched). Whatever a
  // partial one held from an earlier attempt is not trusted (its pieces' roots are gone): it is
  // filled afresh.
  void join(const peer::Metainfo& meta, Listener listener, JoinDone done);

  // Every piece of the leased item is verified: once libtorrent's writes of it have landed
  // (peer::Session::flush), it becomes a complete cache item (on the pool), granted to the owner
  // of the transfer filling it in the same commit (a waiting job of another user that asked in
  // between would be refused); `done` runs on the engine thread. `expected_sha256`: the item's
  // metainfo is a peer's claim, so the whole content must have this SHA-256 first; if not, the
  // item stays partial (never served) and `done` gets a kChecksumMismatch error.
  void finish_item(const Lease& lease, std::function<void(api::Result<void>)> done,
                   std::optional<std::string> expected_sha256 = std::nullopt);

  // Content nobody published that this machine fetched over HTTP and verified against its
  // SHA-256 (the cache's "sha256-" item): its site metainfo is made (or the one kept with the
  // item taken), kept with the item, offered at the content's rendezvous and seeded for the seed
  // time. Best effort: a failure is logged, the job has its file already. Either way this
  // machine stops saying it fetches the content for the site (SiteRendezvous::fetching).
  void seed_fetched(const std::string& sha256);
  SiteRendezvous& rendezvous() { return *rendezvous_; }

  // May the job's owner `uid` copy the complete leased item out (cache::CacheAccess)? Swarm
  // content is shared, unless fetched with credentials (a group's private swarm: `shared`
  // false); a user who did not fetch it gets it only once their own origin confirmed it.
  // `fetched`: the job filled the item itself, or its origin confirmed it: `uid` is granted it
  // first. On the pool; `done` runs on the engine thread.
  void admit(const Lease& lease, std::uint32_t uid, bool fetched, bool shared,
             std::function<void(api::Result<cache::CacheAccess>)> done);

  // The leased swarm learns pieces the transfer wrote and verified itself (peer::Session::
  // reload); listed peers are dialled again.
  api::Result<void> reload(const Lease& lease, const std::vector<bool>& have);

  // Serves the items to peers for the time each has left (an item a job joined meanwhile is the
  // job's already).
  void reseed(std::vector<Reseed> items);

  peer::Session& session() { return *session_; }
  // Bans since the hub opened: a peer cut off for data that failed a hash check (the peer
  // session counts each time) and the supplier of a metainfo claim the content refuted (the
  // rendezvous).
  std::uint64_t peers_banned() const {
    return session_->peers_banned() + rendezvous_->suppliers_banned();
  }
  // The explicit peers as endpoints ("HOST:PORT" resolved once at open).
  const std::vector<std::pair<std::string, std::uint16_t>>& explicit_peers() const {
    return explicit_peers_;
  }
  // Peers can be found without a list: on the link, or at the group's trackers.
  bool discovery() const {
    return options_.peer.local_discovery ||
           (!options_.peer.group_id.empty() && !options_.peer.trackers.empty());
  }
  // The cache key of `meta`'s item: its v2 info-hash's, or for a provisional metainfo the
  // content's SHA-256's.
  static std::string item_key(const peer::Metainfo& meta);
  // Some content no job holds is served to peers for the rest of its seed time.
  bool seeding() const;
  // The running policy changed (copy_running_policy): the upload cap and rule apply at once.
  void apply_policy(const EngineOptions& options);
  // What this month's upload cap (PeerOptions::monthly_upload_cap) still allows, in bytes;
  // nullopt: no cap. Nothing left: this machine serves no peer; a little left: the upload rate
  // is held to it per second, so that the cap is not overrun between two calls (the engine
  // calls once a second).
  void set_monthly_upload_left(std::optional<std::uint64_t> left);

 private:
  struct Item {
    peer::SwarmId swarm = 0;
    cache::Pin pin;                               // a complete item
    std::shared_ptr<cache::PartialItem> partial;  // an item being filled (it holds the pin)
    bool complete = false;
    std::map<std::uint64_t, Listener> listeners;
    std::uint64_t filler = 0;  // the listener filling an incomplete item; 0: none
    std::unique_ptr<boost::asio::steady_timer> seed_timer;
    // A site metainfo (content nobody published): offered at its rendezvous while complete.
    std::shared_ptr<const peer::Metainfo> site_meta;
  };

  SwarmHub(boost::asio::io_context& io, boost::asio::thread_pool& pool, cache::ContentStore& cache,
           const EngineOptions& options, std::unique_ptr<peer::Session> session,
           std::vector<std::pair<std::string, std::uint16_t>> peers);
  // What a join finds in the cache: the complete item, or one to fill.
  struct Found {
    cache::Pin complete;
    std::shared_ptr<cache::PartialItem> partial;
    bool fresh = false;  // the partial item was just made: it holds nothing yet
  };
  void on_cache_ready(const peer::Metainfo& meta, std::string key, api::Result<Found> found,
                      Listener listener, JoinDone done);
  std::shared_ptr<Lease> lease(const std::string& key, Item& item, Listener listener);
  void release(const std::string& key, std::uint64_t listener_id);
  void remove(const std::string& key);
  // Keeps the idle item `key` in the session for `time`, then removes it.
  void seed_for(const std::string& key, std::chrono::seconds time);
  void redial();
  // The upload cap, held to what the month allows.
  void apply_upload_cap();
  // Why this machine may not upload now (too little RAM or free disk, the month's cap reached),
  // or nothing.
  std::optional<std::string> upload_refusal() const;
  // Applies that to the session (at open, then every redial).
  void apply_upload_rule();
  void finish_flushed_item(const std::string& key, std::function<void(api::Result<void>)> done,
                           std::optional<std::string> expected_sha256);
  void seed_complete(const std::string& key, const peer::Metainfo& meta, cache::Pin pin,
                     std::chrono::seconds time);
  void dial_listed_peers(const std::string& key);
  peer::SwarmEvents events_for(const std::string& key);

  boost::asio::io_context& io_;
  boost::asio::thread_pool& pool_;
  cache::ContentStore& cache_;
  EngineOptions options_;
  std::unique_ptr<peer::Session> session_;
  std::vector<std::pair<std::string, std::uint16_t>> explicit_peers_;
  std::unique_ptr<SiteRendezvous> rendezvous_;  // after session_: goes first
  std::map<std::string, Item> items_;
  std::uint64_t next_listener_ = 1;
  boost::asio::steady_timer redial_timer_;
  bool uploads_refused_ = false;
  std::optional<std::uint64_t> monthly_upload_left_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine::swarm
