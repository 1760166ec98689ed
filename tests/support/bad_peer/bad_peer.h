// BadPeer: a malicious BitTorrent peer for tests. It listens on 127.0.0.1 on a free port (and
// can dial out), handshakes for one torrent by its v1 info-hash, claims every piece, unchokes,
// and answers every `request` with a block of the requested length that is garbage (for every
// piece, or for a chosen set of pieces with the true data for the rest). The swarm must reject
// what it sends by the hashes and ban it; the counters say what it sent and when the remote
// hung up.
//
// It speaks only what that takes of BEP 3: the handshake with all reserved bits clear (no
// extension protocol, no fast extension, no v2 upgrade — libtorrent then uses none of them),
// bitfield, unchoke, request → piece; every other message is read and ignored. A remote that
// does not open with a plain handshake for our torrent is hung up on (libtorrent dials a peer
// given to connect_peer with an encrypted MSE handshake first, then redials in plain text).
// Each connection is served on its own; a remote may reconnect as often as it likes, up to
// BadPeerOptions::max_connections.
//
// Threads: it runs its own io thread. Every method may be called from any thread. The
// destructor closes every connection and joins the thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bad_peer/bad_peer_options.h"
#include "bad_peer/bad_peer_stats.h"

namespace swarmcopy::test {

class BadPeer {
 public:
  // Listens at once. Throws std::invalid_argument for inconsistent options,
  // std::filesystem::filesystem_error when `source_file` cannot be read, and
  // boost::system::system_error when it cannot listen.
  explicit BadPeer(BadPeerOptions options);
  ~BadPeer();
  BadPeer(const BadPeer&) = delete;
  BadPeer& operator=(const BadPeer&) = delete;

  std::uint16_t port() const;

  // Connects to a peer (e.g. a Session's listen port) and behaves as on an accepted
  // connection, sending its handshake first. Returns at once; the outcome shows in stats()
  // (connections_dialed or dial_failures).
  void dial(const std::string& address, std::uint16_t port);

  BadPeerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcopy::test
