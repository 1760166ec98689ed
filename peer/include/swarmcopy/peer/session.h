// Session: the one libtorrent session of an engine — the LAN swarm. A swarm per content item
// (its v2 metainfo), writing into (or seeding from) one file; pieces arrive from peers and
// from the origin (add_piece) alike, and every one is verified by libtorrent against the
// metainfo's hashes, which come from the origin, never from a peer.
//
// Settings that matter (see ../shared/docs/field-notes.md): TCP only (uTP ran 13× slower on
// loopback), DHT/UPnP/NAT-PMP off, local service discovery only when asked, quick reconnects,
// several connections per IP (many peers share one address in tests and labs), and the
// upload cap applied to LAN peers too (libtorrent exempts local peers by default).
//
// Threads: every method is called from the io_context's thread (the engine thread); every
// SwarmEvents callback runs there too (libtorrent's alerts are drained on it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::peer {

struct SessionOptions {
  std::string listen_interfaces = "0.0.0.0:0";  // "ADDRESS:PORT"; port 0: any free port
  bool local_discovery = false;                 // LSD, for `lan` and `group` modes
  // Group mode: the group this machine belongs to; empty: none (`lan`). With a group, no
  // content's own info-hash is announced anywhere: each swarm (and rendezvous) is announced
  // under a hash made of the group and the content (group_announce_info_hash), to `trackers`
  // and on the link (LSD, when on), and every peer met there is dialled in the content's
  // swarm. Machines of another group, on the same tracker or the same link, never learn of
  // this machine's swarms.
  std::string group_id;
  // BitTorrent trackers (http://, https://, udp://) the group's announces go to.
  std::vector<std::string> trackers;
  std::uint64_t upload_bytes_per_second = 0;  // 0: unlimited; LAN peers included
  int connections_limit = 200;
  // Content private to the group (make_group_private_metainfo: libtorrent's SSL torrents): this
  // machine's certificate, signed by the group's CA (its common name "*": any
  // swarm), and its private key, PEM. Set: an SSL listen socket on the peer port + 1
  // (kSslPortOffset), where machines dial each other for such swarms; each side of a connection
  // must show a certificate of the swarm's CA. Empty: private swarms cannot be joined.
  std::string group_cert_pem;
  std::string group_key_pem;
};

// Where a machine's SSL swarms listen, above its peer port.
inline constexpr std::uint16_t kSslPortOffset = 1;

using SwarmId = std::uint64_t;

struct PeerStats {
  std::string address;           // "IP:PORT"
  std::string peer_id;           // the 20 bytes of its BitTorrent peer id
  std::uint64_t bytes_down = 0;  // payload, this connection
  std::uint64_t bytes_up = 0;
  bool seed = false;       // has every piece
  std::vector<bool> have;  // its pieces (empty until its bitfield arrived)
  // How it was found: "incoming" (it dialled us), "lsd", "group" (the group's announce: a
  // tracker, or discovery of the group on the link), "listed" (dialled because it was named).
  std::string found_by;
  bool choked_us = false;  // it does not let us request pieces now
};

struct SwarmStats {
  std::uint64_t from_peers = 0;  // payload bytes downloaded from peers
  std::uint64_t uploaded = 0;    // payload bytes uploaded to peers
  int peers_connected = 0;
  std::uint32_t pieces_have = 0;
  std::uint32_t pieces_total = 0;
  bool complete = false;
  std::vector<PeerStats> peers;     // connected peers (handshake done)
  std::vector<bool> have;           // our verified pieces
  std::vector<std::string> banned;  // "IP:PORT" of peers banned here for bad data (bounded)
};

// A provisional swarm's piece got two different roots: one supplier lies. Peer ids (20 bytes);
// empty: this machine (a root it computed from the origin's bytes, which wins).
struct RootConflict {
  std::uint32_t piece = 0;
  std::string kept_from;   // whose root the piece is checked against
  std::string other_from;  // whose root differs (not taken)
};

struct SwarmEvents {
  std::function<void(std::uint32_t piece)> piece_finished;  // verified and written
  std::function<void(std::uint32_t piece)> hash_failed;     // rejected; its sources blamed
  std::function<void()> finished;                           // every piece verified
  std::function<void(api::Error)> failed;                   // storage error (disk full, ...)
  std::function<void(RootConflict)> root_conflict;          // provisional swarms only
};

// Content nobody published (see site_metainfo_exchange.h): a peer's claim that `meta` is the
// site metainfo of the content a rendezvous is for. Checked before it arrives: it parses, it is
// named by the content's SHA-256, its piece size is site_piece_size's, and its info-hash is the
// one the peer announced. Still a claim: only the content's bytes can prove it.
// An honest machine offers one metainfo per content (it is made deterministically). One that
// offers a new one after another (each sent and parsed, up to 768 KiB) is asked for this many
// at most per IP address, while this machine wants the content.
inline constexpr int kMaxMetainfosPerAddress = 4;

struct MetainfoClaim {
  std::string address;  // "IP:PORT" of the connection it came on
  std::string peer_id;  // 20 bytes
  Metainfo meta;
};
using RendezvousId = std::uint64_t;
struct RendezvousPeer {
  std::string peer_id;    // 20 bytes
  bool fetching = false;  // it fetches the content from the origin for the site
  bool offers = false;    // it offers a metainfo for the content
};

class Session {
 public:
  static api::Result<std::unique_ptr<Session>> open(boost::asio::io_context& io,
                                                    const SessionOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The TCP port peers reach us on (0 until listening).
  std::uint16_t listen_port() const;
  // Our BitTorrent peer id (20 bytes), the same in every swarm: peers rank pieces by it.
  const std::string& peer_id() const;
  // Whether peers may get pieces from this machine (every swarm): false unchokes nobody, so
  // peers never get a piece; what this machine downloads is unaffected. True at open.
  void allow_uploads(bool allowed);
  // The upload cap over every peer, LAN peers included, in bytes per second; 0: none.
  void set_upload_limit(std::uint64_t bytes_per_second);
  // The download cap of one swarm over all its peers (LAN peers included), bytes per second;
  // 0: none. The engine's download budgets set it (a swarm cannot wait on a budget as an HTTP
  // request does: libtorrent reads from its peers on its own).
  void set_download_limit(SwarmId id, std::uint64_t bytes_per_second);
  // Payload bytes sent to peers since the session opened, every swarm together (the monthly
  // upload cap counts them), as of the last refresh_totals() libtorrent answered. `done` runs
  // (on the io thread) once it did, within milliseconds; never if the session goes first.
  void refresh_totals(std::function<void()> done);
  std::uint64_t payload_uploaded() const;
  // Connections ended by a ban since the session opened (a piece that failed its hash check,
  // or libtorrent's smart ban): a banned peer heard again and banned again counts again.
  std::uint64_t peers_banned() const;

  // A swarm writing into (complete: seeding from) `dir / file_name`.
  // `fresh`: the file holds nothing of the content yet (just created): libtorrent's check of
  // it (a full read and hash) is skipped. Otherwise an incomplete file is checked, never
  // trusted. `file`: that file, already open for reading and writing (a cache item being
  // filled hands out its own descriptor): the swarm reads and writes through it and never opens
  // the path; none: the path is opened.
  api::Result<SwarmId> add_swarm(const Metainfo& meta, const std::filesystem::path& dir,
                                 const std::string& file_name, bool complete, SwarmEvents events,
                                 bool fresh = false, util::UniqueFd file = {});
  // A provisional swarm (meta.provisional, make_provisional_metainfo: content nobody published
  // that no machine holds whole yet) is added the same way. Its pieces are checked against the
  // SHA-256 Merkle roots the machines that verified them announce (a BEP 10 extension,
  // root_exchange_plugin.h): the first root heard for a piece, or this machine's own
  // (learn_piece_root), which wins. A piece whose root has not come yet waits for it before its
  // check is answered. The whole file's SHA-256 is the caller's to check at the end.
  void remove_swarm(SwarmId id);
  // A provisional swarm: the root of `piece` (32 raw bytes, peer::piece_root) as this machine
  // computed it from the origin's bytes. Call before add_piece with those bytes. A peer's root
  // that differs is reported (root_conflict).
  void learn_piece_root(SwarmId id, std::uint32_t piece, const std::string& root);
  // A provisional swarm: the peer `peer_id` (20 bytes) lied about a root. Its roots are forgotten,
  // its connections here closed, and it is not heard again in this swarm. Returns the pieces
  // whose root it gave: those this machine verified against them must be dropped (reload without
  // them).
  std::vector<std::uint32_t> distrust(SwarmId id, const std::string& peer_id);
  // Tells the swarm which pieces the caller wrote and verified itself (against the metainfo,
  // from the origin): libtorrent takes the swarm down and adds it again trusting `have` (no
  // re-check), so that peers can be served those pieces. Connections drop and are made again;
  // pieces half-received from peers are fetched again. All true: the swarm seeds.
  api::Result<void> reload(SwarmId id, const std::vector<bool>& have);
  void connect_peer(SwarmId id, const std::string& address, std::uint16_t port);

  // Origin data for one piece; `data` must be exactly the piece's length. The outcome arrives
  // as piece_finished or hash_failed. Never overwrites a piece already had.
  api::Result<void> add_piece(SwarmId id, std::uint32_t piece, std::vector<char> data);
  // Calls `done(true)` once every piece libtorrent had verified when flush() was called is in
  // the swarm's file (its write jobs done: libtorrent can report a piece verified while its
  // blocks still wait in its store buffer), `done(false)` if the swarm went or was reloaded
  // first. On the io thread, from the alert drain.
  void flush(SwarmId id, std::function<void(bool flushed)> done);
  bool has_piece(SwarmId id, std::uint32_t piece) const;
  std::uint32_t piece_length(SwarmId id, std::uint32_t piece) const;
  SwarmStats stats(SwarmId id) const;

  // The rendezvous of content `sha256` (64 lower-case hex digits): a swarm without metadata
  // under an info-hash derived from it (rendezvous_info_hash), announced like any swarm, where
  // machines that hold the content hand its site metainfo to machines that want it.
  // `on_claim`: each metainfo a peer sends while wanted (on the io thread; one per info-hash).
  api::Result<RendezvousId> join_rendezvous(const std::string& sha256,
                                            std::function<void(MetainfoClaim)> on_claim);
  // What this machine hands out there: the site metainfo it made or verified.
  void offer_in_rendezvous(RendezvousId id, const Metainfo& meta);
  // Whether this machine asks the peers there for their metainfo.
  void want_in_rendezvous(RendezvousId id, bool wanted);
  // A metainfo (its v2 info-hash, hex) the content refuted: never taken again.
  void refute_in_rendezvous(RendezvousId id, const std::string& info_hash_v2);
  void connect_rendezvous_peer(RendezvousId id, const std::string& address, std::uint16_t port);
  // Tells the peers there that this machine fetches the content from the origin for the site
  // (true), or no longer does.
  void fetching_in_rendezvous(RendezvousId id, bool fetching);
  // The peers connected there and what each said of itself.
  std::vector<RendezvousPeer> rendezvous_peers(RendezvousId id) const;
  void leave_rendezvous(RendezvousId id);
  // 40 hex digits: SHA-1 of "swarmcopy rendezvous " and the content's SHA-256 (hex); in a
  // group, of "swarmcopy rendezvous ", the group, a space and the SHA-256.
  static std::string rendezvous_info_hash(const std::string& sha256,
                                          const std::string& group_id = {});
  // 40 hex digits: SHA-1 of "swarmcopy group ", the group, a space and the content's v2
  // info-hash (hex): what a group's machines announce a swarm under (a tracker's whitelist
  // lists these).
  static std::string group_announce_info_hash(const std::string& group_id,
                                              const std::string& info_hash_v2);

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcopy::peer
