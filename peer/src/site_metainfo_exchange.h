// The exchange of site-made metainfo (content nobody published) on a rendezvous swarm: a
// libtorrent torrent plugin for swarms added by a derived info-hash, without metadata, where
// machines that hold content X (named by its SHA-256) meet machines that want it.
//
// The wire (a BEP 10 extension, "swarmcopy_site_meta"): a holder puts the v2 info-hash of the
// metainfo it made into its extension handshake ("swarmcopy_site_meta_ih", 32 bytes). A peer
// that wants the content and has not received that info-hash yet sends a request (payload: one
// byte, 0); the holder answers with the whole bencoded metainfo, piece layers included (payload:
// one byte, 1, then the bytes). A machine fetching the content from the origin for the site
// says so ("swarmcopy_site_fetching": 1); a state that changes later (fetching starts or ends,
// an offer appears) goes out as a state message (one byte, 2; "fetching"; the info-hash or
// nothing) on the connection's next tick. What arrives is handed over with the info-hash the
// handshake announced; the receiver (Session) checks it matches before anything believes it. No new
// listening port: the rendezvous is a swarm like any other.
//
// Threads: the plugin runs on libtorrent's network thread; `Received` is called there, and must
// only post to another thread.
#pragma once

#include <functional>
#include <libtorrent/extensions.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace swarmcopy::peer {

class SiteMetainfoExchange : public std::enable_shared_from_this<SiteMetainfoExchange> {
 public:
  // A peer's metainfo: its address ("IP:PORT"), its peer id, the info-hash its handshake
  // announced (32 raw bytes) and the bytes it sent.
  using Received = std::function<void(std::string address, std::string peer_id,
                                      std::string announced_info_hash, std::vector<char> bytes)>;

  // A site metainfo is a few hundred KiB at most (2048 pieces); libtorrent refuses any message
  // over 1 MiB anyway.
  static constexpr std::size_t kMaxMetainfoBytes = 768 * 1024;

  // Held by a shared_ptr: every connection's plugin keeps it.
  explicit SiteMetainfoExchange(Received received) : received_(std::move(received)) {}

  // What this machine hands out (empty: nothing). `info_hash`: 32 raw bytes.
  void offer(std::vector<char> metainfo, std::string info_hash);
  // Whether this machine asks peers for their metainfo.
  void want(bool wanted);
  // Whether this machine fetches the content from the origin for the site (see SiteRendezvous).
  void set_fetching(bool fetching);
  bool fetching() const;

  // What a connected peer said of itself.
  struct PeerState {
    std::string peer_id;  // 20 bytes
    bool fetching = false;
    bool offers = false;
  };
  std::vector<PeerState> peers() const;
  // For the connections' plugins (network thread), keyed by the plugin.
  void peer_state(const void* connection, PeerState state);
  void forget_peer(const void* connection);
  // An info-hash never to ask for again (its metainfo was refuted).
  void known(const std::string& info_hash);

  // The plugin to put in add_torrent_params::extensions.
  std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
  plugin_factory();

  // For the connections' plugins (network thread).
  struct Offer {
    std::shared_ptr<const std::vector<char>> metainfo;
    std::string info_hash;
  };
  Offer current_offer() const;
  // True once per info-hash while wanted, and kMaxMetainfosPerAddress times per peer IP
  // address: the caller asks `ip` for it. An asker whose connection closed before the answer
  // came gives the info-hash back (unask), for another peer to answer.
  bool should_ask(const std::string& info_hash, const std::string& ip);
  void unask(const std::string& info_hash);
  void deliver(std::string address, std::string peer_id, std::string info_hash,
               std::vector<char> bytes);

 private:
  mutable std::mutex mutex_;
  Offer offer_;
  bool wanted_ = false;
  bool fetching_ = false;
  std::map<const void*, PeerState> peers_;
  std::set<std::string> asked_;            // received, or asked on a connection still open
  std::set<std::string> refused_;          // refuted: never asked again
  std::map<std::string, int> asks_by_ip_;  // distinct metainfos asked of each peer address
  Received received_;
};

}  // namespace swarmcopy::peer
