#include "swarmcopy/peer/session.h"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <deque>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/extensions/smart_ban.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/hex.hpp>
#include <libtorrent/peer_class.hpp>
#include <libtorrent/peer_info.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_stats.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/torrent_flags.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "crossed_dial_plugin.h"
#include "file_disk.h"
#include "piece_hashes.h"
#include "provisional_roots.h"
#include "root_exchange_plugin.h"
#include "site_metainfo_exchange.h"
#include "storage_files.h"
#include "upload_gate_plugin.h"

namespace swarmcopy::peer {
namespace {

// The one libtorrent extension the session keeps (see Session::open).
struct SmartBanOnly final : lt::plugin {
  std::shared_ptr<lt::torrent_plugin> new_torrent(const lt::torrent_handle& handle,
                                                  lt::client_data_t data) override {
    return lt::create_smart_ban_plugin(handle, data);
  }
};

// The metainfo as libtorrent sees it: no tracker and no web seed. They come from the origin's
// file, and libtorrent would contact every host they name (a crafted .torrent turned the daemon
// into a client of any host); peers come from discovery and the listed peers only.
std::shared_ptr<lt::torrent_info> peer_only_info(const Metainfo& meta, lt::error_code& ec) {
  auto info = std::make_shared<lt::torrent_info>(meta.bytes.data(),
                                                 static_cast<int>(meta.bytes.size()), ec);
  if (ec) return nullptr;
  info->clear_trackers();
  info->set_web_seeds({});
  return info;
}

// PeerStats::found_by. A group's find is dialled with the tracker flag (whether a tracker or
// discovery on the link named it); a listed peer is dialled with no source at all.
std::string found_by(const lt::peer_info& peer) {
  if (!(peer.flags & lt::peer_info::outgoing_connection)) return "incoming";
  if (peer.source & lt::peer_info::lsd) return "lsd";
  if (peer.source & lt::peer_info::tracker) return "group";
  return "listed";
}

// Banned peers remembered per swarm for its explanation (a flood of new ports stays bounded).
constexpr std::size_t kMaxBannedKept = 64;
// A group's machines remembered per swarm to dial again after a reload.
constexpr std::size_t kMaxGroupPeersKept = 256;

// How long reload waits for libtorrent to finish removing a swarm before adding it again.
constexpr int kRemoveWaitSteps = 2000;
constexpr auto kRemoveWaitStep = std::chrono::milliseconds(1);

// "ADDRESS:0" -> "ADDRESS:P" with P a port free on ADDRESS. libtorrent gives port 0 a random
// port per interface, but announces one of them (the first socket's) to local service
// discovery, so peers on other interfaces dial a closed port (arvidn/libtorrent#5746). One
// port for every interface keeps LSD working.
// With `ssl_too`, the port above it (kSslPortOffset) must be free as well: the group's SSL
// swarms listen there.
std::string with_concrete_port(const std::string& listen, bool ssl_too) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || listen.substr(colon + 1) != "0") return listen;
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return listen;
  boost::asio::io_context io;
  const auto bound = [&](std::uint16_t port) {
    auto acceptor = std::make_unique<boost::asio::ip::tcp::acceptor>(io);
    const boost::asio::ip::tcp::endpoint endpoint(address, port);
    boost::system::error_code error;
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->bind(endpoint, error);
    return error ? nullptr : std::move(acceptor);
  };
  for (int attempt = 0; attempt < 32; ++attempt) {
    auto first = bound(0);
    if (!first) return listen;
    const auto port = first->local_endpoint(ec).port();
    if (ec) return listen;
    if (ssl_too && (port == 65535 || !bound(static_cast<std::uint16_t>(port + kSslPortOffset)))) {
      continue;
    }
    // Closed again before libtorrent binds it: a race with another process is possible but
    // harmless (libtorrent then reports the failure and the engine says so).
    return listen.substr(0, colon + 1) + std::to_string(port);
  }
  return listen;
}

// "ADDRESS:P" and, for the group's SSL swarms, "ADDRESS:(P+1)s".
std::string listen_interfaces(const SessionOptions& options) {
  const bool ssl = !options.group_cert_pem.empty();
  const auto plain = with_concrete_port(options.listen_interfaces, ssl);
  if (!ssl) return plain;
  const auto colon = plain.rfind(':');
  unsigned port = 0;
  if (colon == std::string::npos ||
      std::from_chars(plain.data() + colon + 1, plain.data() + plain.size(), port).ec !=
          std::errc() ||
      port == 0 || port >= 65535) {
    return plain;  // libtorrent refuses it and says why
  }
  return plain + "," + plain.substr(0, colon + 1) + std::to_string(port + kSslPortOffset) + "s";
}

// "-SC0100-" and 12 random characters: a full 20-byte fingerprint becomes the whole peer id,
// so we know ours (libtorrent does not tell) and peers can rank pieces by it.
std::string make_peer_id() {
  static constexpr char kChars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::random_device random;
  std::string id = "-SC0100-";
  while (id.size() < 20) id += kChars[random() % (sizeof(kChars) - 1)];
  return id;
}

lt::settings_pack make_settings(const SessionOptions& options, const std::string& peer_id) {
  lt::settings_pack settings;
  settings.set_str(lt::settings_pack::peer_fingerprint, peer_id);
  settings.set_str(lt::settings_pack::listen_interfaces, listen_interfaces(options));
  settings.set_bool(lt::settings_pack::enable_dht, false);
  settings.set_bool(lt::settings_pack::enable_upnp, false);
  settings.set_bool(lt::settings_pack::enable_natpmp, false);
  settings.set_bool(lt::settings_pack::enable_lsd, options.local_discovery);
  // uTP's congestion control crawls on a LAN (13 vs 175 MB/s measured on loopback).
  settings.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  settings.set_bool(lt::settings_pack::enable_incoming_utp, false);
  // Many peers share one address in tests and labs; a failed dial must not bar the peer for
  // a minute (libtorrent's default: 60 s times the failures).
  settings.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  settings.set_int(lt::settings_pack::min_reconnect_time, 2);
  // libtorrent drops connections to seeds once it is a seed itself; kept, they go on counting
  // what each peer gave (and a LAN connection costs nothing).
  settings.set_bool(lt::settings_pack::close_redundant_connections, false);
  settings.set_int(lt::settings_pack::connections_limit, options.connections_limit);
  settings.set_int(lt::settings_pack::alert_mask,
                   static_cast<int>(static_cast<std::uint32_t>(
                       lt::alert_category::status | lt::alert_category::error |
                       lt::alert_category::connect | lt::alert_category::peer |
                       lt::alert_category::storage | lt::alert_category::piece_progress)));
  settings.set_str(lt::settings_pack::user_agent, "swarmcopy/0.1");
  // A connect_peer is acted on at the next tick (500 ms by default): every download from a
  // listed peer started half a second late (bench/peer_pair).
  settings.set_int(lt::settings_pack::tick_interval, 100);
  return settings;
}

api::Error peer_error(std::string message) {
  return api::Error{api::ErrorContext::kPeer, api::ErrorKind::kInternal, 0, std::move(message), {},
                    api::Protocol::kPeer};
}

}  // namespace

struct Session::Impl {
  boost::asio::io_context& io;
  std::string peer_id;
  std::string group_id;               // empty: lan
  std::vector<std::string> trackers;  // the group's
  lt::session session;
  // Cleared when the session goes, so that a drain posted just before is dropped.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  struct Swarm {
    lt::torrent_handle handle;
    SwarmEvents events;
    std::uint32_t pieces = 0;
    std::shared_ptr<const lt::torrent_info> info;
    // Its hashes as the disk layer checks them (null: libtorrent checks alone); held here
    // because libtorrent frees the torrent_info's piece layers once loaded, reload included.
    std::shared_ptr<const PieceHashes> piece_hashes;
    // The file the engine opened for it (null: the disk layer opens save_path / file_name).
    std::shared_ptr<const util::UniqueFd> file;
    std::string save_path;
    std::string file_name;
    // libtorrent drops add_piece data silently (no alert, good or bad) while a torrent is
    // still being checked: origin pieces wait here for torrent_checked_alert.
    bool checked = false;
    std::vector<std::pair<std::uint32_t, std::vector<char>>> waiting_pieces;
    // flush() callers, oldest first: each flush_cache() posts one cache_flushed_alert, in order.
    std::deque<std::function<void(bool)>> flushes;
    // In a group: the torrent without metadata that announces this swarm under the group's
    // hash (add_group_announce); invalid otherwise.
    lt::torrent_handle announce;
    // Peers ("IP:PORT") whose connection here ended by a ban (SwarmStats::banned), bounded.
    std::set<std::string> banned;
    // In a group: where the group's machines met at the announce listen, dialled again after a
    // reload (the swarm itself has no discovery to find them again), bounded.
    std::set<lt::tcp::endpoint> group_peers;
    // Content private to the group (an SSL torrent): its peers are dialled at their SSL port.
    bool ssl = false;
    // A provisional swarm's piece roots and the plugin that exchanges them (added again on a
    // reload); null otherwise.
    std::shared_ptr<ProvisionalRoots> roots;
    std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
        root_exchange;
  };
  std::map<SwarmId, Swarm> swarms;
  SwarmId next_id = 1;
  struct Rendezvous {
    lt::torrent_handle handle;
    std::shared_ptr<SiteMetainfoExchange> exchange;
  };
  std::map<RendezvousId, Rendezvous> rendezvous;
  std::uint64_t peers_banned = 0;  // connections ended by a ban (drain())
  // SessionOptions::group_cert_pem / group_key_pem: shown in every private (SSL) swarm.
  std::string group_cert_pem;
  std::string group_key_pem;
  void show_group_certificate(lt::torrent_handle handle) const {
    // No DH parameters: the ECDHE ciphers need none (libtorrent reports the empty ones in an
    // alert nobody needs).
    handle.set_ssl_certificate_buffer(group_cert_pem, group_key_pem, std::string());
  }
  // Payload bytes sent to peers since the session opened, as of the last session_stats_alert
  // (refresh_totals()).
  std::uint64_t payload_uploaded = 0;
  const int sent_payload_metric = lt::find_metric_idx("net.sent_payload_bytes");
  std::vector<std::function<void()>> totals_waiters;
  // allow_uploads(): the gate its plugin reads, and the last value set.
  std::shared_ptr<UploadGate> upload_gate = std::make_shared<UploadGate>();
  bool uploads_allowed = true;
  RendezvousId next_rendezvous = 1;
  std::shared_ptr<PieceHashRegistry> piece_hashes;
  std::shared_ptr<StorageFiles> files;

  Impl(boost::asio::io_context& context, std::string id, lt::session_params params,
       std::shared_ptr<PieceHashRegistry> registry, std::shared_ptr<StorageFiles> storage_files)
      : io(context),
        peer_id(std::move(id)),
        session(std::move(params)),
        piece_hashes(std::move(registry)),
        files(std::move(storage_files)) {}

  // A provisional swarm's root conflicts (on libtorrent's thread, or this one), handed to the
  // swarm's events on the io thread.
  Conflicted conflict_reporter(SwarmId id) {
    return [this, alive = alive, id](ProvisionalRoots::Conflict conflict) {
      boost::asio::post(io, [this, alive, id, conflict = std::move(conflict)] {
        if (!*alive) return;
        auto* swarm = find(id);
        if (swarm == nullptr || !swarm->events.root_conflict) return;
        swarm->events.root_conflict(
            RootConflict{conflict.piece, conflict.kept_from, conflict.other_from});
      });
    };
  }

  // The old torrent's alerts no longer reach the swarm: its waiting flushes are answered now.
  void fail_flushes(Swarm& swarm) {
    for (auto& done : swarm.flushes) {
      boost::asio::post(io, [done = std::move(done)] { done(false); });
    }
    swarm.flushes.clear();
  }

  Swarm* find(SwarmId id) {
    auto it = swarms.find(id);
    return it == swarms.end() ? nullptr : &it->second;
  }
  const Swarm* find(SwarmId id) const {
    auto it = swarms.find(id);
    return it == swarms.end() ? nullptr : &it->second;
  }
  Swarm* find(const lt::torrent_handle& handle) {
    for (auto& [id, swarm] : swarms) {
      if (swarm.handle == handle) return &swarm;
    }
    return nullptr;
  }
  Swarm* find_by_announce(const lt::torrent_handle& handle) {
    for (auto& [id, swarm] : swarms) {
      if (swarm.announce.is_valid() && swarm.announce == handle) return &swarm;
    }
    return nullptr;
  }

  // A torrent without metadata under `hash`, announced to the group's trackers and on the link:
  // where the group's machines that have a content meet (its connections carry nothing; they
  // only tell each side where the other listens).
  api::Result<lt::torrent_handle> add_group_announce(const std::string& hash_hex,
                                                     const std::string& name) {
    lt::add_torrent_params params;
    lt::sha1_hash hash;
    lt::aux::from_hex(hash_hex, hash.data());
    params.info_hashes = lt::info_hash_t(hash);
    params.name = name;
    params.trackers = trackers;
    // Never used: without ut_metadata the torrent never gets metadata, so it never has storage.
    params.save_path = "/nonexistent/swarmcopy-group";
    params.flags &= ~lt::torrent_flags::auto_managed;
    params.flags &= ~lt::torrent_flags::paused;
    wait_until_gone(hash);
    params.flags |= lt::torrent_flags::duplicate_is_error;
    lt::error_code ec;
    auto handle = session.add_torrent(std::move(params), ec);
    if (ec) return std::unexpected(peer_error("cannot announce to the group: " + ec.message()));
    return handle;
  }

  // remove_torrent is asynchronous: a torrent removed a moment ago may still be there, and
  // libtorrent would hand its dying handle back as a duplicate. Bounded (it takes a few ms).
  void wait_until_gone(const lt::sha1_hash& hash) {
    for (int step = 0; step < kRemoveWaitSteps && session.find_torrent(hash).is_valid(); ++step) {
      std::this_thread::sleep_for(kRemoveWaitStep);
    }
  }

  // On the io thread. An alert pointer dies at the next pop: copy what is needed, then call.
  void drain() {
    std::vector<lt::alert*> alerts;
    session.pop_alerts(&alerts);
    std::vector<std::function<void()>> calls;
    for (lt::alert* alert : alerts) {
      spdlog::trace("libtorrent: {}", alert->message());
      if (auto* finished = lt::alert_cast<lt::piece_finished_alert>(alert)) {
        if (auto* swarm = find(finished->handle); swarm && swarm->events.piece_finished) {
          calls.push_back([f = swarm->events.piece_finished,
                           piece = static_cast<std::uint32_t>(
                               static_cast<int>(finished->piece_index))] { f(piece); });
        }
      } else if (auto* failed = lt::alert_cast<lt::hash_failed_alert>(alert)) {
        if (auto* swarm = find(failed->handle); swarm && swarm->events.hash_failed) {
          calls.push_back([f = swarm->events.hash_failed,
                           piece = static_cast<std::uint32_t>(
                               static_cast<int>(failed->piece_index))] { f(piece); });
        }
      } else if (auto* done = lt::alert_cast<lt::torrent_finished_alert>(alert)) {
        if (auto* swarm = find(done->handle); swarm && swarm->events.finished) {
          calls.push_back(swarm->events.finished);
        }
      } else if (auto* checked = lt::alert_cast<lt::torrent_checked_alert>(alert)) {
        if (auto* swarm = find(checked->handle)) {
          swarm->checked = true;
          for (auto& [piece, data] : swarm->waiting_pieces) {
            swarm->handle.add_piece(lt::piece_index_t{static_cast<int>(piece)}, std::move(data));
          }
          swarm->waiting_pieces.clear();
        }
      } else if (auto* flushed = lt::alert_cast<lt::cache_flushed_alert>(alert)) {
        if (auto* swarm = find(flushed->handle); swarm && !swarm->flushes.empty()) {
          calls.push_back([f = std::move(swarm->flushes.front())] { f(true); });
          swarm->flushes.pop_front();
        }
      } else if (auto* connect = lt::alert_cast<lt::peer_connect_alert>(alert)) {
        // A group's machine found at the announce (by a tracker or on the link), dialled there
        // at the port it listens on: dialled in the content's swarm as well. (One found by its
        // own dial to us is dialled the other way: it does the same.)
        if (connect->direction == lt::peer_connect_alert::direction_t::out) {
          if (auto* swarm = find_by_announce(connect->handle)) {
            // Marked as the group's find (PeerStats::found_by). A private swarm's machines
            // listen for it above their peer port.
            auto endpoint = connect->endpoint;
            if (swarm->ssl)
              endpoint.port(static_cast<std::uint16_t>(endpoint.port() + kSslPortOffset));
            swarm->handle.connect_peer(endpoint, lt::peer_info::tracker);
            if (swarm->group_peers.size() < kMaxGroupPeersKept) {
              swarm->group_peers.insert(endpoint);
            }
          }
        }
      } else if (auto* totals = lt::alert_cast<lt::session_stats_alert>(alert)) {
        const auto counters = totals->counters();
        if (sent_payload_metric >= 0 && sent_payload_metric < counters.size()) {
          payload_uploaded = static_cast<std::uint64_t>(counters[sent_payload_metric]);
        }
        for (auto& waiter : std::exchange(totals_waiters, {})) calls.push_back(std::move(waiter));
      } else if (auto* gone = lt::alert_cast<lt::peer_disconnected_alert>(alert)) {
        // A ban ends the banned peer's connection with one of these errors: a piece that
        // failed its hash (too_many_corrupt_pieces) or smart_ban's verdict (peer_banned);
        // neither always posts a peer_ban_alert.
        if (gone->error == lt::errors::too_many_corrupt_pieces ||
            gone->error == lt::errors::peer_banned) {
          ++peers_banned;
          if (auto* swarm = find(gone->handle); swarm && swarm->banned.size() < kMaxBannedKept) {
            const auto endpoint = gone->endpoint;
            swarm->banned.insert(endpoint.address().to_string() + ":" +
                                 std::to_string(endpoint.port()));
          }
        }
      } else if (auto* storage = lt::alert_cast<lt::file_error_alert>(alert)) {
        if (auto* swarm = find(storage->handle); swarm && swarm->events.failed) {
          const int code = storage->error.value();
          calls.push_back([f = swarm->events.failed, code, message = storage->message(),
                           file = std::string(storage->filename())] {
            f(api::Error{api::ErrorContext::kLocalFile,
                         code == ENOSPC ? api::ErrorKind::kDiskFull : api::ErrorKind::kLocalIo,
                         code, message, file, api::Protocol::kLocal});
          });
        }
      }
    }
    for (auto& call : calls) call();
  }
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Session::~Session() {
  *impl_->alive = false;
  impl_->session.set_alert_notify([] {});
}

api::Result<std::unique_ptr<Session>> Session::open(boost::asio::io_context& io,
                                                    const SessionOptions& options) {
  auto peer_id = make_peer_id();
  lt::session_params params(make_settings(options, peer_id));
  // libtorrent's default plugins include ut_metadata (it hands a torrent's metadata, file name
  // and all, to any peer that knows the info-hash) and ut_pex (it tells peers who else is in a
  // swarm). The swarm needs neither: every peer has the origin's metadata, and peers are found
  // by discovery or listed. Only smart_ban stays (it bans a peer whose blocks failed a v1 check),
  // beside our own answer to two peers dialling each other at once (crossed_dial_plugin.h).
  params.extensions.clear();
  params.extensions.push_back(std::make_shared<SmartBanOnly>());
  params.extensions.push_back(
      std::make_shared<CrossedDialPlugin>(lt::peer_id(lt::span<const char>(peer_id))));
  auto registry = std::make_shared<PieceHashRegistry>();
  auto files = std::make_shared<StorageFiles>();
  params.disk_io_constructor = file_disk(registry, files);
  auto gate = std::make_shared<UploadGate>();
  params.extensions.push_back(std::make_shared<UploadGatePlugin>(gate));
  auto impl =
      std::make_unique<Impl>(io, peer_id, std::move(params), std::move(registry), std::move(files));
  impl->upload_gate = std::move(gate);
  impl->group_id = options.group_id;
  impl->trackers = options.trackers;
  impl->group_cert_pem = options.group_cert_pem;
  impl->group_key_pem = options.group_key_pem;
  auto* raw = impl.get();
  // libtorrent calls this on its own thread: only wake the io thread, nothing else.
  impl->session.set_alert_notify([raw, &io, alive = impl->alive] {
    boost::asio::post(io, [raw, alive] {
      if (*alive) raw->drain();
    });
  });
  auto session = std::unique_ptr<Session>(new Session(std::move(impl)));
  if (options.upload_bytes_per_second > 0)
    session->set_upload_limit(options.upload_bytes_per_second);
  return session;
}

void Session::set_upload_limit(std::uint64_t bytes_per_second) {
  // Local peers sit in their own, unlimited class unless told otherwise. 0: no limit.
  for (auto id : {lt::session::global_peer_class_id, lt::session::local_peer_class_id}) {
    auto info = impl_->session.get_peer_class(id);
    info.upload_limit = static_cast<int>(std::min<std::uint64_t>(bytes_per_second, 0x7fffffff));
    impl_->session.set_peer_class(id, info);
  }
}

void Session::set_download_limit(SwarmId id, std::uint64_t bytes_per_second) {
  auto* swarm = impl_->find(id);
  if (swarm == nullptr) return;
  // libtorrent's per-torrent cap (its own peer class, LAN peers included); 0: none.
  swarm->handle.set_download_limit(
      static_cast<int>(std::min<std::uint64_t>(bytes_per_second, 0x7fffffff)));
}

void Session::refresh_totals(std::function<void()> done) {
  impl_->totals_waiters.push_back(std::move(done));
  impl_->session.post_session_stats();
}

std::uint64_t Session::payload_uploaded() const { return impl_->payload_uploaded; }

std::uint16_t Session::listen_port() const { return impl_->session.listen_port(); }

std::uint64_t Session::peers_banned() const { return impl_->peers_banned; }

void Session::allow_uploads(bool allowed) {
  if (allowed == impl_->uploads_allowed) return;
  impl_->uploads_allowed = allowed;
  impl_->upload_gate->open = allowed;
  lt::settings_pack pack;
  // libtorrent's default is 8 unchoke slots; none: every peer stays choked (no requests served).
  pack.set_int(lt::settings_pack::unchoke_slots_limit,
               allowed ? lt::settings_pack().get_int(lt::settings_pack::unchoke_slots_limit) : 0);
  impl_->session.apply_settings(std::move(pack));
}

const std::string& Session::peer_id() const { return impl_->peer_id; }

api::Result<SwarmId> Session::add_swarm(const Metainfo& meta, const std::filesystem::path& dir,
                                        const std::string& file_name, bool complete,
                                        SwarmEvents events, bool fresh, util::UniqueFd file) {
  lt::error_code ec;
  auto info = peer_only_info(meta, ec);
  if (ec) return std::unexpected(peer_error("metainfo not understood: " + ec.message()));
  const bool ssl = !info->ssl_cert().empty();
  if (ssl && impl_->group_cert_pem.empty()) {
    return std::unexpected(
        peer_error("content private to the group needs this machine's group certificate and key"));
  }
  lt::add_torrent_params params;
  params.ti = info;
  params.save_path = dir.string();
  params.renamed_files[lt::file_index_t{0}] = file_name;
  // A complete file is trusted without a re-check only because the engine verified it.
  if (complete) params.flags |= lt::torrent_flags::seed_mode;
  // Nothing to find in a file just made: a check would read and hash all of it (1 GiB of
  // zeros: seconds of CPU and disk while the download runs).
  if (fresh && !complete) params.flags |= lt::torrent_flags::no_verify_files;
  params.flags &= ~lt::torrent_flags::auto_managed;
  params.flags &= ~lt::torrent_flags::paused;
  // In a group the content's own hash is announced nowhere (the group's announce is).
  if (!impl_->group_id.empty()) params.flags |= lt::torrent_flags::disable_lsd;
  const SwarmId id = impl_->next_id++;
  // Before add_torrent: the storage looks its hashes and its file up when it is made.
  std::shared_ptr<ProvisionalRoots> roots;
  std::shared_ptr<const PieceHashes> piece_hashes;
  if (meta.provisional) {
    roots = std::make_shared<ProvisionalRoots>(static_cast<std::uint32_t>(info->num_pieces()));
    piece_hashes = impl_->piece_hashes->expect_provisional(*info, roots);
    params.extensions.push_back(root_exchange_plugin(roots, impl_->conflict_reporter(id)));
  } else {
    piece_hashes = impl_->piece_hashes->expect(*info);
  }
  std::shared_ptr<const util::UniqueFd> offered;
  if (file) offered = impl_->files->offer(info->info_hashes().get_best(), std::move(file));
  std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
      root_exchange = roots ? params.extensions.back() : nullptr;
  auto handle = impl_->session.add_torrent(std::move(params), ec);
  if (ec) return std::unexpected(peer_error("cannot join the swarm: " + ec.message()));
  if (ssl) impl_->show_group_certificate(handle);
  auto& swarm = impl_->swarms[id];
  swarm.ssl = ssl;
  swarm.roots = std::move(roots);
  swarm.root_exchange = std::move(root_exchange);
  swarm.handle = handle;
  swarm.events = std::move(events);
  swarm.pieces = static_cast<std::uint32_t>(info->num_pieces());
  swarm.info = info;
  swarm.piece_hashes = std::move(piece_hashes);
  swarm.file = std::move(offered);
  swarm.save_path = dir.string();
  swarm.file_name = file_name;
  if (!impl_->group_id.empty()) {
    auto announce = impl_->add_group_announce(
        group_announce_info_hash(impl_->group_id, meta.info_hash_v2), "group " + file_name);
    if (!announce) {
      remove_swarm(id);
      return std::unexpected(announce.error());
    }
    swarm.announce = *announce;
  }
  return id;
}

api::Result<void> Session::reload(SwarmId id, const std::vector<bool>& have) {
  auto* swarm = impl_->find(id);
  if (swarm == nullptr) return std::unexpected(peer_error("no such swarm"));
  if (have.size() != swarm->pieces)
    return std::unexpected(peer_error("bitfield of the wrong size"));
  lt::add_torrent_params params;
  params.ti = std::const_pointer_cast<lt::torrent_info>(swarm->info);
  params.save_path = swarm->save_path;
  params.renamed_files[lt::file_index_t{0}] = swarm->file_name;
  params.have_pieces.resize(static_cast<int>(swarm->pieces), false);
  bool all = true;
  for (std::uint32_t piece = 0; piece < have.size(); ++piece) {
    if (have[piece]) params.have_pieces.set_bit(lt::piece_index_t{static_cast<int>(piece)});
    all = all && have[piece];
  }
  // Trusted without a check: the caller verified every piece it marks.
  params.flags |= lt::torrent_flags::no_verify_files;
  if (all) params.flags |= lt::torrent_flags::seed_mode;
  if (swarm->roots) {
    // A provisional swarm: the pieces the caller verified itself are passed on to peers like
    // those libtorrent verified (their roots are the caller's own, learn_piece_root).
    for (std::uint32_t piece = 0; piece < have.size(); ++piece) {
      if (have[piece]) swarm->roots->passed(piece);
    }
    params.extensions.push_back(swarm->root_exchange);
  }
  params.flags &= ~lt::torrent_flags::auto_managed;
  params.flags &= ~lt::torrent_flags::paused;
  if (!impl_->group_id.empty()) params.flags |= lt::torrent_flags::disable_lsd;
  // The reload drops every connection. Those we dialled we dial again at once, at the port
  // we reached (the peer's listen port); without that the mesh waited for the other side's
  // reconnect timer (~2 s), and meanwhile both fetched the same pieces from the origin.
  std::vector<lt::peer_info> connected;
  swarm->handle.get_peer_info(connected);
  std::vector<std::pair<lt::tcp::endpoint, lt::peer_source_flags_t>> redial;
  for (const auto& peer : connected) {
    if (peer.flags & lt::peer_info::outgoing_connection) redial.emplace_back(peer.ip, peer.source);
  }
  impl_->session.remove_torrent(swarm->handle);
  impl_->fail_flushes(*swarm);
  // remove_torrent is asynchronous. Adding the same info-hash while the old torrent is still
  // there counts as a duplicate, and libtorrent then hands back the existing — dying — handle
  // without an error. So: wait until it is gone (bounded; it takes a few ms), and make a
  // duplicate an error rather than a dead handle.
  const auto& hashes = swarm->info->info_hashes();
  for (int step = 0; step < kRemoveWaitSteps; ++step) {
    const bool v1_gone = !hashes.has_v1() || !impl_->session.find_torrent(hashes.v1).is_valid();
    const bool v2_gone =
        !hashes.has_v2() ||
        !impl_->session.find_torrent(hashes.get(lt::protocol_version::V2)).is_valid();
    if (v1_gone && v2_gone) break;
    std::this_thread::sleep_for(kRemoveWaitStep);
  }
  params.flags |= lt::torrent_flags::duplicate_is_error;
  lt::error_code ec;
  auto handle = impl_->session.add_torrent(std::move(params), ec);
  if (ec) {
    impl_->swarms.erase(id);
    return std::unexpected(peer_error("cannot rejoin the swarm: " + ec.message()));
  }
  swarm->handle = handle;
  swarm->checked = false;
  if (swarm->ssl) impl_->show_group_certificate(handle);
  for (const auto& [endpoint, source] : redial) handle.connect_peer(endpoint, source);
  // A group's machines that dialled us are gone too, and the announce, connected to them
  // already, says nothing new: a machine left alone for the others' reconnect timers (2 s and
  // more) fetched from the origin meanwhile (lab, 2 subnets: 1.2-1.5x origin egress).
  for (const auto& endpoint : swarm->group_peers) {
    handle.connect_peer(endpoint, lt::peer_info::tracker);
  }
  return {};
}

void Session::learn_piece_root(SwarmId id, std::uint32_t piece, const std::string& root) {
  auto* swarm = impl_->find(id);
  if (swarm == nullptr || !swarm->roots ||
      root.size() != std::size_t(ProvisionalRoots::Root::size()))
    return;
  if (auto conflict = swarm->roots->learn(piece, ProvisionalRoots::Root(root.data()),
                                          ProvisionalRoots::kThisMachine)) {
    impl_->conflict_reporter(id)(std::move(*conflict));
  }
}

std::vector<std::uint32_t> Session::distrust(SwarmId id, const std::string& peer_id) {
  auto* swarm = impl_->find(id);
  if (swarm == nullptr || !swarm->roots) return {};
  // Its connections close at their next tick (the plugin checks), its roots are gone now.
  return swarm->roots->distrust(peer_id);
}

void Session::remove_swarm(SwarmId id) {
  auto it = impl_->swarms.find(id);
  if (it == impl_->swarms.end()) return;
  impl_->session.remove_torrent(it->second.handle);
  if (it->second.announce.is_valid()) impl_->session.remove_torrent(it->second.announce);
  impl_->fail_flushes(it->second);
  impl_->swarms.erase(it);
}

void Session::flush(SwarmId id, std::function<void(bool flushed)> done) {
  auto* swarm = impl_->find(id);
  if (swarm == nullptr) {
    boost::asio::post(impl_->io, [done = std::move(done)] { done(false); });
    return;
  }
  swarm->flushes.push_back(std::move(done));
  swarm->handle.flush_cache();
}

void Session::connect_peer(SwarmId id, const std::string& address, std::uint16_t port) {
  auto* swarm = impl_->find(id);
  if (swarm == nullptr) return;
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) {
    spdlog::warn("peer address not understood: {}", address);
    return;
  }
  // A private swarm's machines listen for it above their peer port.
  if (swarm->ssl) port = static_cast<std::uint16_t>(port + kSslPortOffset);
  swarm->handle.connect_peer(lt::tcp::endpoint(ip, port));
}

api::Result<void> Session::add_piece(SwarmId id, std::uint32_t piece, std::vector<char> data) {
  auto* swarm = impl_->find(id);
  if (swarm == nullptr) return std::unexpected(peer_error("no such swarm"));
  if (piece >= swarm->pieces) return std::unexpected(peer_error("piece index out of range"));
  // libtorrent silently drops a buffer of the wrong length: check it here.
  if (data.size() != piece_length(id, piece)) {
    return std::unexpected(peer_error("piece " + std::to_string(piece) + " has " +
                                      std::to_string(data.size()) + " bytes, expected " +
                                      std::to_string(piece_length(id, piece))));
  }
  if (!swarm->checked) {
    swarm->waiting_pieces.emplace_back(piece, std::move(data));
    return {};
  }
  // Never overwrite_existing: that would skip the hash check.
  swarm->handle.add_piece(lt::piece_index_t{static_cast<int>(piece)}, std::move(data));
  return {};
}

bool Session::has_piece(SwarmId id, std::uint32_t piece) const {
  const auto* swarm = impl_->find(id);
  return swarm != nullptr && piece < swarm->pieces &&
         swarm->handle.have_piece(lt::piece_index_t{static_cast<int>(piece)});
}

std::uint32_t Session::piece_length(SwarmId id, std::uint32_t piece) const {
  const auto* swarm = impl_->find(id);
  if (swarm == nullptr) return 0;
  auto info = swarm->handle.torrent_file();
  if (!info || piece >= swarm->pieces) return 0;
  return static_cast<std::uint32_t>(info->piece_size(lt::piece_index_t{static_cast<int>(piece)}));
}

SwarmStats Session::stats(SwarmId id) const {
  SwarmStats stats;
  const auto* swarm = impl_->find(id);
  if (swarm == nullptr) return stats;
  const auto status = swarm->handle.status(lt::torrent_handle::query_pieces);
  stats.from_peers = static_cast<std::uint64_t>(status.total_payload_download);
  stats.uploaded = static_cast<std::uint64_t>(status.total_payload_upload);
  stats.peers_connected = status.num_peers;
  stats.pieces_have = static_cast<std::uint32_t>(status.num_pieces);
  stats.pieces_total = swarm->pieces;
  stats.complete = status.is_seeding;
  stats.have.assign(swarm->pieces, false);
  for (lt::piece_index_t piece{0}; piece < status.pieces.end_index(); ++piece) {
    if (status.pieces[piece]) stats.have[static_cast<std::size_t>(static_cast<int>(piece))] = true;
  }
  std::vector<lt::peer_info> peers;
  swarm->handle.get_peer_info(peers);
  for (const auto& peer : peers) {
    // Still connecting or handshaking: not a peer yet.
    if (peer.flags & (lt::peer_info::connecting | lt::peer_info::handshake)) continue;
    PeerStats entry;
    entry.address = peer.ip.address().to_string() + ":" + std::to_string(peer.ip.port());
    entry.peer_id.assign(peer.pid.data(), peer.pid.size());
    entry.bytes_down = static_cast<std::uint64_t>(peer.total_download);
    entry.bytes_up = static_cast<std::uint64_t>(peer.total_upload);
    entry.seed = static_cast<bool>(peer.flags & lt::peer_info::seed);
    entry.found_by = found_by(peer);
    entry.choked_us = static_cast<bool>(peer.flags & lt::peer_info::remote_choked);
    if (peer.pieces.size() > 0) {
      entry.have.assign(swarm->pieces, false);
      for (lt::piece_index_t piece{0}; piece < peer.pieces.end_index(); ++piece) {
        if (peer.pieces[piece] && static_cast<int>(piece) < static_cast<int>(swarm->pieces)) {
          entry.have[static_cast<std::size_t>(static_cast<int>(piece))] = true;
        }
      }
    }
    stats.peers.push_back(std::move(entry));
  }
  stats.banned.assign(swarm->banned.begin(), swarm->banned.end());
  return stats;
}

namespace {

std::string hex_of(const std::string& raw) {
  return lt::aux::to_hex(lt::span<const char>(raw.data(), static_cast<std::ptrdiff_t>(raw.size())));
}

// A peer's metainfo, checked as far as it can be before any byte of the content is: see
// MetainfoClaim.
std::optional<Metainfo> check_claim(const std::string& sha256, const std::string& address,
                                    const std::string& announced, const std::vector<char>& bytes) {
  auto meta = parse_metainfo(bytes, "peer " + address);
  if (!meta) {
    spdlog::info("peer {}: its metainfo for sha256:{} is refused: {}", address, sha256,
                 meta.error().message);
    return std::nullopt;
  }
  std::string why;
  if (meta->name != sha256) {
    why = "it is not named by the content's SHA-256";
  } else if (meta->piece_size != site_piece_size(meta->size)) {
    why = "its piece size is not the one the size gives";
  } else if (meta->info_hash_v2 != hex_of(announced)) {
    why = "it is not the metainfo its handshake announced";
  }
  if (!why.empty()) {
    spdlog::info("peer {}: its metainfo for sha256:{} is refused: {}", address, sha256, why);
    return std::nullopt;
  }
  return std::move(*meta);
}

}  // namespace

std::string Session::rendezvous_info_hash(const std::string& sha256, const std::string& group_id) {
  lt::hasher hasher;
  hasher.update("swarmcopy rendezvous ");
  if (!group_id.empty()) {
    hasher.update(group_id);
    hasher.update(" ");
  }
  hasher.update(sha256);
  return lt::aux::to_hex(hasher.final());
}

std::string Session::group_announce_info_hash(const std::string& group_id,
                                              const std::string& info_hash_v2) {
  lt::hasher hasher;
  hasher.update("swarmcopy group ");
  hasher.update(group_id);
  hasher.update(" ");
  hasher.update(info_hash_v2);
  return lt::aux::to_hex(hasher.final());
}

api::Result<RendezvousId> Session::join_rendezvous(const std::string& sha256,
                                                   std::function<void(MetainfoClaim)> on_claim) {
  // Received on libtorrent's thread: checked and handed over on the io thread.
  auto received = [io = &impl_->io, alive = impl_->alive, sha256, on_claim = std::move(on_claim)](
                      std::string address, std::string peer_id, std::string announced,
                      std::vector<char> bytes) {
    boost::asio::post(
        *io, [alive, sha256, on_claim, address = std::move(address), peer_id = std::move(peer_id),
              announced = std::move(announced), bytes = std::move(bytes)]() mutable {
          if (!*alive || !on_claim) return;
          if (auto meta = check_claim(sha256, address, announced, bytes)) {
            on_claim(MetainfoClaim{std::move(address), std::move(peer_id), std::move(*meta)});
          }
        });
  };
  auto exchange = std::make_shared<SiteMetainfoExchange>(std::move(received));
  lt::add_torrent_params params;
  lt::sha1_hash hash;
  lt::aux::from_hex(rendezvous_info_hash(sha256, impl_->group_id), hash.data());
  params.info_hashes = lt::info_hash_t(hash);
  params.name = "rendezvous " + sha256;
  // In a group: met through the group's trackers too (and under the group's hash on the link).
  params.trackers = impl_->trackers;
  // Never used: a rendezvous never gets metadata (no ut_metadata), so it never has storage.
  params.save_path = "/nonexistent/swarmcopy-rendezvous";
  params.flags &= ~lt::torrent_flags::auto_managed;
  params.flags &= ~lt::torrent_flags::paused;
  params.extensions.push_back(exchange->plugin_factory());
  // A rendezvous left a moment ago may still be going: wait until it is gone.
  impl_->wait_until_gone(hash);
  params.flags |= lt::torrent_flags::duplicate_is_error;
  lt::error_code ec;
  auto handle = impl_->session.add_torrent(std::move(params), ec);
  if (ec) return std::unexpected(peer_error("cannot join the rendezvous: " + ec.message()));
  const RendezvousId id = impl_->next_rendezvous++;
  impl_->rendezvous[id] = Impl::Rendezvous{handle, std::move(exchange)};
  return id;
}

void Session::offer_in_rendezvous(RendezvousId id, const Metainfo& meta) {
  auto it = impl_->rendezvous.find(id);
  if (it == impl_->rendezvous.end()) return;
  std::string raw(32, '\0');
  lt::aux::from_hex(meta.info_hash_v2, raw.data());
  it->second.exchange->offer(meta.bytes, std::move(raw));
}

void Session::want_in_rendezvous(RendezvousId id, bool wanted) {
  auto it = impl_->rendezvous.find(id);
  if (it != impl_->rendezvous.end()) it->second.exchange->want(wanted);
}

void Session::refute_in_rendezvous(RendezvousId id, const std::string& info_hash_v2) {
  auto it = impl_->rendezvous.find(id);
  if (it == impl_->rendezvous.end()) return;
  std::string raw(32, '\0');
  lt::aux::from_hex(info_hash_v2, raw.data());
  it->second.exchange->known(raw);
}

void Session::connect_rendezvous_peer(RendezvousId id, const std::string& address,
                                      std::uint16_t port) {
  auto it = impl_->rendezvous.find(id);
  if (it == impl_->rendezvous.end()) return;
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) return;
  it->second.handle.connect_peer(lt::tcp::endpoint(ip, port));
}

void Session::fetching_in_rendezvous(RendezvousId id, bool fetching) {
  auto it = impl_->rendezvous.find(id);
  if (it != impl_->rendezvous.end()) it->second.exchange->set_fetching(fetching);
}

std::vector<RendezvousPeer> Session::rendezvous_peers(RendezvousId id) const {
  std::vector<RendezvousPeer> peers;
  auto it = impl_->rendezvous.find(id);
  if (it == impl_->rendezvous.end()) return peers;
  for (const auto& state : it->second.exchange->peers()) {
    peers.push_back(RendezvousPeer{state.peer_id, state.fetching, state.offers});
  }
  return peers;
}

void Session::leave_rendezvous(RendezvousId id) {
  auto it = impl_->rendezvous.find(id);
  if (it == impl_->rendezvous.end()) return;
  impl_->session.remove_torrent(it->second.handle);
  impl_->rendezvous.erase(it);
}

}  // namespace swarmcopy::peer
