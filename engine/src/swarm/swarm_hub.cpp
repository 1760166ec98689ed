#include "swarm_hub.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "swarmcopy/util/sha256.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine::swarm {
namespace {

constexpr auto kRedialInterval = std::chrono::seconds(5);
// How long a peer with the higher endpoint waits to be dialled before it dials itself: longer
// than libtorrent takes to act on a connect_peer (it dials on its 500 ms tick).
constexpr auto kAnswerDialWait = std::chrono::milliseconds(650);
constexpr auto kFlushWait = std::chrono::seconds(10);
// This much short of the month's upload cap, nothing more is served (apply_upload_cap).
constexpr std::uint64_t kMonthlyUploadReserve = 512 * 1024;

api::Result<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port = 0;
  try {
    port = colon == std::string::npos ? 0 : std::stoul(text.substr(colon + 1));
  } catch (const std::exception&) {
    port = 0;
  }
  if (host.empty() || port == 0 || port > 65535) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                     "peer must be HOST:PORT: " + text);
  }
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

// The site metainfo of content fetched over HTTP and kept as `pin` (a "sha256-" item): the one
// kept with it, or made now (reading the item once) and kept. Blocking: on the pool.
api::Result<peer::Metainfo> site_metainfo_of(cache::ContentStore& cache, const cache::Pin& pin,
                                             const std::string& sha256) {
  if (auto kept = cache.metadata(pin.key()); kept && *kept) {
    auto meta = peer::parse_metainfo(**kept, pin.key());
    if (meta && is_site_metainfo(*meta) && meta->name == sha256 && meta->size == pin.size()) {
      return meta;
    }
  }
  util::UniqueFd fd(::open(pin.path().c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return std::unexpected(api::Error{api::ErrorContext::kCache, api::ErrorKind::kLocalIo, errno,
                                      "cannot read the cached item", pin.path().string(),
                                      api::Protocol::kLocal});
  }
  auto meta = peer::make_site_metainfo(fd.get(), pin.size(), sha256);
  if (!meta) return meta;
  if (auto kept = cache.set_metadata(pin.key(), meta->bytes); !kept) {
    spdlog::warn("cannot keep the metainfo of {}: {}", pin.key(), kept.error().describe());
  }
  return meta;
}

}  // namespace

// ------------------------------------------------------------------------------ Lease

SwarmHub::Lease::Lease(SwarmHub* hub, std::string key, peer::SwarmId swarm, Listener listener)
    : hub_(hub), key_(std::move(key)), swarm_(swarm) {
  listener_id_ = hub_->next_listener_++;
  auto& item = hub_->items_.at(key_);
  item.listeners.emplace(listener_id_, std::move(listener));
  if (!item.complete && item.filler == 0) item.filler = listener_id_;
}

bool SwarmHub::Lease::fills() const { return hub_->items_.at(key_).filler == listener_id_; }

SwarmHub::Lease::~Lease() { hub_->release(key_, listener_id_); }

const std::filesystem::path& SwarmHub::Lease::data_path() const {
  const auto& item = hub_->items_.at(key_);
  return item.partial ? item.partial->path() : item.pin.path();
}

std::shared_ptr<const cache::PartialItem> SwarmHub::Lease::writer() const {
  return hub_->items_.at(key_).partial;
}

bool SwarmHub::Lease::complete() const { return hub_->items_.at(key_).complete; }

// ---------------------------------------------------------------------------- SwarmHub

api::Result<std::unique_ptr<SwarmHub>> SwarmHub::open(boost::asio::io_context& io,
                                                      boost::asio::thread_pool& pool,
                                                      cache::ContentStore& cache,
                                                      const EngineOptions& options) {
  std::vector<std::pair<std::string, std::uint16_t>> peers;
  for (const auto& text : options.peer.peers) {
    auto endpoint = parse_endpoint(text);
    if (!endpoint) return std::unexpected(endpoint.error());
    peers.push_back(*endpoint);
  }
  peer::SessionOptions session_options;
  session_options.listen_interfaces = options.peer.listen;
  session_options.local_discovery = options.peer.local_discovery;
  session_options.group_id = options.peer.group_id;
  session_options.trackers = options.peer.trackers;
  session_options.upload_bytes_per_second = options.peer.upload_bytes_per_second;
  session_options.connections_limit = options.peer.max_connections;
  if (options.peer.peers_private_content()) {
    session_options.group_cert_pem = options.peer.group_cert_pem;
    session_options.group_key_pem = options.peer.group_key_pem;
  }
  auto session = peer::Session::open(io, session_options);
  if (!session) return std::unexpected(session.error());
  return std::unique_ptr<SwarmHub>(
      new SwarmHub(io, pool, cache, options, std::move(*session), std::move(peers)));
}

SwarmHub::SwarmHub(boost::asio::io_context& io, boost::asio::thread_pool& pool,
                   cache::ContentStore& cache, const EngineOptions& options,
                   std::unique_ptr<peer::Session> session,
                   std::vector<std::pair<std::string, std::uint16_t>> peers)
    : io_(io),
      pool_(pool),
      cache_(cache),
      options_(options),
      session_(std::move(session)),
      explicit_peers_(std::move(peers)),
      redial_timer_(io) {
  rendezvous_ = std::make_unique<SiteRendezvous>(io_, *session_, explicit_peers_);
  const auto port = session_->listen_port();
  spdlog::info("peer session listening on port {}", port);
  if (options_.on_listening) options_.on_listening(port);
  redial();
}

SwarmHub::~SwarmHub() {
  *alive_ = false;
  redial_timer_.cancel();
  for (auto& [key, item] : items_) {
    if (item.seed_timer) item.seed_timer->cancel();
    session_->remove_swarm(item.swarm);
  }
  items_.clear();
}

std::string SwarmHub::item_key(const peer::Metainfo& meta) {
  return meta.provisional ? cache::ContentStore::sha256_key(meta.name.substr(0, 64))
                          : cache::ContentStore::metadata_key(meta.info_hash_v2);
}

void SwarmHub::join(const peer::Metainfo& meta, Listener listener, JoinDone done) {
  const auto key = item_key(meta);
  if (auto it = items_.find(key); it != items_.end()) {
    auto lease_ptr = lease(key, it->second, std::move(listener));
    boost::asio::post(io_, [done = std::move(done), lease_ptr] { done(lease_ptr); });
    return;
  }
  // The cache's check after an unclean shutdown hashes the whole item, and reserving space
  // may take a while: off the engine thread.
  boost::asio::post(pool_, [this, meta, key, listener = std::move(listener), done = std::move(done),
                            alive = alive_]() mutable {
    api::Result<Found> found = Found{};
    auto complete = cache_.acquire(key, [&meta](const std::filesystem::path& file) {
      if (!meta.provisional) return peer::verify_file(meta, file);
      util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) return false;
      const auto hash = util::sha256_of_fd(fd.get(), file.string());
      return hash && *hash == meta.name.substr(0, 64);
    });
    if (complete && *complete) {
      found->complete = std::move(**complete);
    } else {
      // A provisional swarm's pieces cannot be checked without their roots: never re-checked,
      // filled afresh.
      found->fresh = meta.provisional || !cache_.is_partial(key);
      if (auto partial = cache_.begin_partial(key, meta.size); partial) {
        found->partial = std::make_shared<cache::PartialItem>(std::move(*partial));
      } else {
        found = std::unexpected(partial.error());
      }
    }
    // Kept with the item so that a later engine can seed it again; without it the item is only
    // not re-seeded after a restart, so a failure costs the job nothing. (A provisional
    // metainfo is not kept: the item gets its site metainfo once complete, seed_fetched.)
    if (found && !meta.provisional) {
      if (auto kept = cache_.set_metadata(key, meta.bytes); !kept) {
        spdlog::warn("cannot keep the metainfo of {}: {}", key, kept.error().describe());
      }
    }
    boost::asio::post(
        io_, [this, meta = std::move(meta), key, found = std::move(found),
              listener = std::move(listener), done = std::move(done), alive]() mutable {
          if (!*alive) return;
          on_cache_ready(meta, key, std::move(found), std::move(listener), std::move(done));
        });
  });
}

void SwarmHub::on_cache_ready(const peer::Metainfo& meta, std::string key, api::Result<Found> found,
                              Listener listener, JoinDone done) {
  // Another job may have joined the same content meanwhile: share its swarm.
  if (auto it = items_.find(key); it != items_.end()) {
    done(lease(key, it->second, std::move(listener)));
    return;
  }
  if (!found) {
    done(std::unexpected(found.error()));
    return;
  }
  const bool complete = !found->partial;
  const auto path = complete ? found->complete.path() : found->partial->path();
  // The disk layer writes the item being filled through the cache's own descriptor of it.
  util::UniqueFd file;
  if (!complete) {
    auto shared = found->partial->share();
    if (!shared) {
      done(std::unexpected(shared.error()));
      return;
    }
    file = std::move(*shared);
  }
  auto swarm = session_->add_swarm(meta, path.parent_path(), path.filename().string(), complete,
                                   events_for(key), found->fresh, std::move(file));
  if (!swarm) {
    done(std::unexpected(swarm.error()));
    return;
  }
  auto& item = items_[key];
  item.swarm = *swarm;
  item.pin = std::move(found->complete);
  item.partial = std::move(found->partial);
  item.complete = complete;
  if (is_site_metainfo(meta)) {
    item.site_meta = std::make_shared<const peer::Metainfo>(meta);
    if (complete) rendezvous_->offer(meta);
  }
  dial_listed_peers(key);
  done(lease(key, item, std::move(listener)));
}

// Two peers that list each other and dial at the same moment make two connections; libtorrent
// drops the duplicate (and, before peer/src/crossed_dial_plugin.h, sometimes both). Fewer
// crossed dials are still cheaper: the peer with the lower endpoint dials first; the other
// dials only if, a moment later, no connection came (the peer may not list us at all).
void SwarmHub::dial_listed_peers(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end() || explicit_peers_.empty()) return;
  const auto colon = options_.peer.listen.rfind(':');
  const std::string own_host =
      colon == std::string::npos ? std::string() : options_.peer.listen.substr(0, colon);
  const auto own_port = session_->listen_port();
  bool waited = false;
  for (const auto& [host, port] : explicit_peers_) {
    const bool we_are_lower = own_host == host && own_port < port;
    const bool unknown_order = own_host != host;
    if (we_are_lower || unknown_order) {
      session_->connect_peer(it->second.swarm, host, port);
    } else {
      waited = true;
    }
  }
  if (!waited) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, kAnswerDialWait);
  timer->async_wait([this, key, timer, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    auto found = items_.find(key);
    if (found == items_.end()) return;
    const auto stats = session_->stats(found->second.swarm);
    if (stats.peers.size() >= explicit_peers_.size()) return;
    for (const auto& [host, port] : explicit_peers_) {
      session_->connect_peer(found->second.swarm, host, port);
    }
  });
}

std::shared_ptr<SwarmHub::Lease> SwarmHub::lease(const std::string& key, Item& item,
                                                 Listener listener) {
  if (item.seed_timer) {
    item.seed_timer->cancel();
    item.seed_timer.reset();
  }
  return std::shared_ptr<Lease>(new Lease(this, key, item.swarm, std::move(listener)));
}

peer::SwarmEvents SwarmHub::events_for(const std::string& key) {
  // Events fan out to every transfer holding the item (looked up at delivery: listeners come
  // and go while the swarm lives).
  auto each = [this, key](auto call) {
    auto it = items_.find(key);
    if (it == items_.end()) return;
    std::vector<Listener> listeners;
    for (const auto& [id, listener] : it->second.listeners) listeners.push_back(listener);
    for (const auto& listener : listeners) call(listener);
  };
  peer::SwarmEvents events;
  events.piece_finished = [each](std::uint32_t piece) {
    each([piece](const Listener& l) {
      if (l.piece_finished) l.piece_finished(piece);
    });
  };
  events.hash_failed = [each](std::uint32_t piece) {
    each([piece](const Listener& l) {
      if (l.hash_failed) l.hash_failed(piece);
    });
  };
  events.finished = [each] {
    each([](const Listener& l) {
      if (l.finished) l.finished();
    });
  };
  events.failed = [each](api::Error error) {
    each([&error](const Listener& l) {
      if (l.failed) l.failed(error);
    });
  };
  events.root_conflict = [each](peer::RootConflict conflict) {
    each([&conflict](const Listener& l) {
      if (l.root_conflict) l.root_conflict(conflict);
    });
  };
  return events;
}

void SwarmHub::finish_item(const Lease& lease, std::function<void(api::Result<void>)> done,
                           std::optional<std::string> expected_sha256) {
  auto it = items_.find(lease.key_);
  if (it != items_.end() && it->second.complete) {
    boost::asio::post(io_, [done = std::move(done)] { done({}); });
    return;
  }
  // Complete means every byte is in the item's file: libtorrent's writes land first. It answers
  // a flush within milliseconds; the timer only keeps a lost answer from hanging the job.
  auto once = std::make_shared<std::function<void()>>(
      [this, key = lease.key_, done = std::move(done),
       expected_sha256 = std::move(expected_sha256)]() mutable {
        finish_flushed_item(key, std::move(done), std::move(expected_sha256));
      });
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, kFlushWait);
  timer->async_wait([once, timer, alive = alive_](const boost::system::error_code&) {
    if (!*alive || !*once) return;
    spdlog::warn("libtorrent did not confirm its writes in time; finishing the item anyway");
    std::exchange(*once, nullptr)();
  });
  session_->flush(lease.swarm_, [once, timer, alive = alive_](bool) {
    timer->cancel();  // also when the hub is gone: a pending timer would hold up shutdown
    if (!*alive || !*once) return;
    std::exchange(*once, nullptr)();
  });
}

void SwarmHub::finish_flushed_item(const std::string& key,
                                   std::function<void(api::Result<void>)> done,
                                   std::optional<std::string> expected_sha256) {
  auto it = items_.find(key);
  if (it == items_.end() || !it->second.partial) {  // gone, or finished by an earlier call
    boost::asio::post(io_, [done = std::move(done)] { done({}); });
    return;
  }
  auto partial = it->second.partial;
  std::optional<std::uint32_t> filled_by;
  bool shared = true;
  if (auto filler = it->second.listeners.find(it->second.filler);
      filler != it->second.listeners.end()) {
    filled_by = filler->second.owner_uid;
    shared = !filler->second.private_content;
  }
  // The pool's part touches no member: the hub may go while it hashes (see seed_fetched).
  boost::asio::post(pool_, [this, &cache = cache_, &io = io_, key, partial, filled_by, shared,
                            done = std::move(done), expected_sha256 = std::move(expected_sha256),
                            alive = alive_] {
    api::Result<void> finished;
    if (expected_sha256) {
      // A peer's metainfo: the bytes match it, but only the SHA-256 says they are the content.
      auto hash = util::sha256_of_fd(partial->descriptor(), partial->path().string());
      if (!hash) {
        finished = std::unexpected(hash.error());
      } else if (*hash != *expected_sha256) {
        finished = std::unexpected(
            api::Error{api::ErrorContext::kPeer, api::ErrorKind::kChecksumMismatch, 0,
                       "SHA-256 mismatch: expected " + *expected_sha256 + ", got " + *hash, key,
                       api::Protocol::kPeer});
        // Never the content: its bytes are not kept, not even as a partial item.
        if (auto discarded = cache.discard_partial(*partial); !discarded) {
          spdlog::warn("{}: {}", key, discarded.error().describe());
        }
      }
    }
    if (finished) finished = cache.finish_partial(*partial, filled_by, shared);
    boost::asio::post(io, [this, key, partial, finished, done, alive] {
      if (!*alive) return;
      auto it = items_.find(key);
      if (finished && it != items_.end() && it->second.partial == partial) {
        // Complete: never written again; the pin keeps it while it is seeded and copied.
        it->second.pin = std::move(*it->second.partial).into_pin();
        it->second.partial.reset();
        it->second.complete = true;
        it->second.filler = 0;
        if (it->second.site_meta) rendezvous_->offer(*it->second.site_meta);
        // Jobs waiting for the same content copy it out now. (libtorrent says "finished" only
        // for pieces it was told of; the filler may have written them all itself.)
        for (const auto& [id, listener] : it->second.listeners) {
          if (listener.finished) boost::asio::post(io_, listener.finished);
        }
      }
      done(finished);
    });
  });
}

void SwarmHub::admit(const Lease& lease, std::uint32_t uid, bool fetched, bool shared,
                     std::function<void(api::Result<cache::CacheAccess>)> done) {
  // The cache item's own key: content fetched over HTTP and seeded under its site metainfo
  // (seed_fetched) is the "sha256-" item, not one under the swarm's key.
  auto it = items_.find(lease.key_);
  const auto key = it != items_.end() && it->second.complete ? it->second.pin.key() : lease.key_;
  boost::asio::post(pool_,
                    [this, key, uid, fetched, shared, done = std::move(done), alive = alive_] {
                      api::Result<cache::CacheAccess> access = cache::CacheAccess::kGranted;
                      if (fetched) {
                        if (auto granted = cache_.grant(key, uid, shared); !granted) {
                          access = std::unexpected(granted.error());
                        }
                      } else {
                        access = cache_.access(key, uid);
                      }
                      boost::asio::post(io_, [access, done, alive] {
                        if (*alive) done(access);
                      });
                    });
}

api::Result<void> SwarmHub::reload(const Lease& lease, const std::vector<bool>& have) {
  auto done = session_->reload(lease.swarm_, have);
  if (!done) return done;
  dial_listed_peers(lease.key_);
  return {};
}

void SwarmHub::release(const std::string& key, std::uint64_t listener_id) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  auto& item = it->second;
  item.listeners.erase(listener_id);
  if (item.filler == listener_id) {
    item.filler = 0;
    if (!item.complete && !item.listeners.empty()) {
      auto next = item.listeners.begin();
      item.filler = next->first;
      if (next->second.lead) boost::asio::post(io_, next->second.lead);
    }
  }
  if (!item.listeners.empty()) return;
  if (item.complete) {
    // The seed window starts now, also for a later engine (find_reseeds).
    boost::asio::post(pool_, [&cache = cache_, key] {
      if (auto marked = cache.mark_used(key); !marked) {
        spdlog::warn("cannot mark {} used: {}", key, marked.error().describe());
      }
    });
  }
  if (!item.complete || options_.seed_time.count() <= 0) {
    remove(key);
    return;
  }
  seed_for(key, options_.seed_time);
}

bool SwarmHub::seeding() const {
  return std::any_of(items_.begin(), items_.end(), [](const auto& entry) {
    return entry.second.seed_timer != nullptr && entry.second.listeners.empty();
  });
}

void SwarmHub::seed_for(const std::string& key, std::chrono::seconds time) {
  auto& item = items_.at(key);
  // Served to peers a while longer; a job that needs it again meanwhile takes it back.
  item.seed_timer = std::make_unique<boost::asio::steady_timer>(io_, time);
  item.seed_timer->async_wait([this, key, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    auto found = items_.find(key);
    if (found != items_.end() && found->second.listeners.empty()) remove(key);
  });
}

std::vector<SwarmHub::Reseed> SwarmHub::find_reseeds(cache::ContentStore& cache,
                                                     std::chrono::seconds seed_time) {
  std::vector<Reseed> found;
  if (seed_time.count() <= 0) return found;
  const auto swarm_prefix = cache::ContentStore::metadata_key("");
  const auto fetched_prefix = cache::ContentStore::sha256_key("");
  const auto now = std::chrono::system_clock::now();
  for (const auto& item : cache.list()) {
    const bool fetched = item.key.starts_with(fetched_prefix);
    if (item.partial || !(item.key.starts_with(swarm_prefix) || fetched)) continue;
    // A clock set back makes a last use in the future: count it as now.
    const auto since = std::max(now - item.last_used, std::chrono::system_clock::duration::zero());
    if (since >= seed_time) continue;
    auto bytes = cache.metadata(item.key);
    if (!bytes) {
      spdlog::warn("not seeding {} again: {}", item.key, bytes.error().describe());
      continue;
    }
    if (!*bytes) continue;  // cached before metainfo was kept with items
    auto meta = peer::parse_metainfo(**bytes, item.key);
    // Content fetched over HTTP: the site metainfo made for it, named by the key's SHA-256.
    const auto described =
        fetched ? (meta && is_site_metainfo(*meta) &&
                   cache::ContentStore::sha256_key(meta->name) == item.key)
                : (meta && cache::ContentStore::metadata_key(meta->info_hash_v2) == item.key);
    if (!described || meta->size != item.size) {
      spdlog::warn("not seeding {} again: its kept metainfo does not describe it", item.key);
      continue;
    }
    auto pin = cache.acquire_for_seeding(item.key, [&meta](const std::filesystem::path& file) {
      return peer::verify_file(*meta, file);
    });
    if (!pin) {
      spdlog::warn("not seeding {} again: {}", item.key, pin.error().describe());
      continue;
    }
    if (!*pin) continue;  // gone meanwhile, or failed its check (and was removed)
    // Checking may have taken a while: what is left counts from now.
    const auto used_since = std::max(std::chrono::system_clock::now() - item.last_used,
                                     std::chrono::system_clock::duration::zero());
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(seed_time - used_since);
    if (left.count() <= 0) continue;
    found.push_back(Reseed{std::move(*meta), std::move(**pin), left});
  }
  return found;
}

void SwarmHub::reseed(std::vector<Reseed> items) {
  for (auto& reseed : items) {
    const auto key = cache::ContentStore::metadata_key(reseed.meta.info_hash_v2);
    if (items_.contains(key)) continue;
    spdlog::info("seeding {} again for the {} s left of its seed time", reseed.pin.key(),
                 reseed.left.count());
    seed_complete(key, reseed.meta, std::move(reseed.pin), reseed.left);
  }
}

// `pin`: a complete item holding the content `meta` describes (its key: `key`, or, for content
// fetched over HTTP, its SHA-256's).
void SwarmHub::seed_complete(const std::string& key, const peer::Metainfo& meta, cache::Pin pin,
                             std::chrono::seconds time) {
  if (items_.contains(key)) return;
  const auto path = pin.path();
  auto swarm = session_->add_swarm(meta, path.parent_path(), path.filename().string(), true,
                                   events_for(key));
  if (!swarm) {
    spdlog::warn("cannot seed {}: {}", key, swarm.error().describe());
    return;
  }
  auto& item = items_[key];
  item.swarm = *swarm;
  item.pin = std::move(pin);
  item.complete = true;
  if (is_site_metainfo(meta)) {
    item.site_meta = std::make_shared<const peer::Metainfo>(meta);
    rendezvous_->offer(meta);
  }
  dial_listed_peers(key);
  seed_for(key, time);
}

void SwarmHub::seed_fetched(const std::string& sha256) {
  if (options_.seed_time.count() <= 0) {
    rendezvous_->fetching(sha256, false);
    return;
  }
  // Hashing the item takes a while: the hub may be gone before it ends (an engine that stops
  // joins the pool only after the hub went), so the pool's part touches no member of it.
  boost::asio::post(pool_, [this, &cache = cache_, &io = io_, sha256, alive = alive_] {
    const auto key = cache::ContentStore::sha256_key(sha256);
    auto pin = cache.acquire_for_seeding(key, {});
    api::Result<peer::Metainfo> meta = std::unexpected(api::Error{
        api::ErrorContext::kCache, api::ErrorKind::kInternal, 0, "not in the cache", key, {}});
    if (!pin) meta = std::unexpected(pin.error());
    if (pin && *pin) meta = site_metainfo_of(cache, **pin, sha256);
    auto held = pin && *pin ? std::make_shared<cache::Pin>(std::move(**pin)) : nullptr;
    boost::asio::post(io, [this, sha256, meta = std::move(meta), held, alive] {
      if (!*alive) return;
      if (meta && held) {
        seed_complete(cache::ContentStore::metadata_key(meta->info_hash_v2), *meta,
                      std::move(*held), options_.seed_time);
      } else {
        spdlog::warn("not seeding sha256:{}: {}", sha256, meta.error().describe());
      }
      // Offered now (or never): the machines waiting for this one stop waiting.
      rendezvous_->fetching(sha256, false);
    });
  });
}

void SwarmHub::remove(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  if (it->second.site_meta) rendezvous_->withdraw(it->second.site_meta->name);
  session_->remove_swarm(it->second.swarm);
  items_.erase(it);  // drops the pin: the item may be evicted again
}

// DOMinRAMAllowedToPeer / free disk: below either minimum this machine serves no peer.
std::optional<std::string> SwarmHub::upload_refusal() const {
  const auto& peer = options_.peer;
  if (monthly_upload_left_ && *monthly_upload_left_ < kMonthlyUploadReserve) {
    return fmt::format("this month's uploads reached monthly_upload_cap ({} bytes)",
                       peer.monthly_upload_cap);
  }
  if (peer.min_ram_to_upload > 0) {
    struct sysinfo info {};
    if (::sysinfo(&info) == 0) {
      const auto ram = static_cast<std::uint64_t>(info.totalram) * info.mem_unit;
      if (ram < peer.min_ram_to_upload) {
        return fmt::format("{} MiB of RAM, below min_ram_to_upload ({} MiB)", ram >> 20,
                           peer.min_ram_to_upload >> 20);
      }
    }
  }
  if (peer.min_free_disk_to_upload > 0) {
    struct statvfs disk {};
    if (::statvfs(cache_.dir().c_str(), &disk) == 0) {
      const auto free = static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize;
      if (free < peer.min_free_disk_to_upload) {
        return fmt::format(
            "{} MiB free in the cache's file system, below min_free_disk_to_upload "
            "({} MiB)",
            free >> 20, peer.min_free_disk_to_upload >> 20);
      }
    }
  }
  return std::nullopt;
}

void SwarmHub::apply_policy(const EngineOptions& options) {
  copy_running_policy(options, options_);
  apply_upload_cap();
  apply_upload_rule();
}

void SwarmHub::set_monthly_upload_left(std::optional<std::uint64_t> left) {
  if (left == monthly_upload_left_) return;
  monthly_upload_left_ = left;
  apply_upload_cap();
  apply_upload_rule();
}

// The month's cap is counted once a second, and libtorrent's rate limiter saves up to three
// seconds of its rate: a quarter of what is left per second never overruns it. Uploads stop
// with less than kMonthlyUploadReserve left (upload_refusal), where that rate is 128 KiB/s: what
// libtorrent queued to send by then is small, and still goes out.
void SwarmHub::apply_upload_cap() {
  auto cap = options_.peer.upload_bytes_per_second;
  if (monthly_upload_left_ && *monthly_upload_left_ >= kMonthlyUploadReserve) {
    const auto quarter = *monthly_upload_left_ / 4;
    cap = cap == 0 ? quarter : std::min(cap, quarter);
  }
  session_->set_upload_limit(cap);
}

void SwarmHub::apply_upload_rule() {
  const auto refusal = upload_refusal();
  if (refusal.has_value() != uploads_refused_) {
    if (refusal) {
      spdlog::info("no uploads to peers: {}", *refusal);
    } else {
      spdlog::info("uploads to peers allowed again");
    }
  }
  uploads_refused_ = refusal.has_value();
  session_->allow_uploads(!uploads_refused_);
}

void SwarmHub::redial() {
  apply_upload_rule();
  // libtorrent redials peers it knows, but gives up on one that failed too often: the listed
  // peers are worth asking again now and then (a peer that restarts, a late starter).
  if (!explicit_peers_.empty()) {
    for (const auto& [key, item] : items_) {
      const auto stats = session_->stats(item.swarm);
      // A listed peer that dialled us shows an ephemeral port; dialling it again would make a
      // duplicate connection that libtorrent then drops (sometimes both). Only when fewer peers
      // are connected than listed is one of them missing.
      if (stats.peers.size() >= explicit_peers_.size()) continue;
      for (const auto& [host, port] : explicit_peers_) {
        const auto address = host + ":" + std::to_string(port);
        bool connected = false;
        for (const auto& peer : stats.peers) connected = connected || peer.address == address;
        if (!connected) session_->connect_peer(item.swarm, host, port);
      }
    }
  }
  redial_timer_.expires_after(kRedialInterval);
  redial_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!ec && *alive) redial();
  });
}

}  // namespace swarmcopy::engine::swarm
