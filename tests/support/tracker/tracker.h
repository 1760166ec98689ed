// Tracker: a minimal HTTP BitTorrent tracker (BEP 3, compact peer lists of BEP 23) for tests
// that need a stock client to find a peer — a client that learns peers only from trackers, DHT
// or LSD, while swarmcopy does not announce anywhere. It listens on 127.0.0.1 on a free port,
// runs on its own thread, and answers `GET /announce?info_hash=...` with the peers the test
// registered for that info-hash (`add_peer`): `d8:intervali60e5:peers<6n bytes>e`. Announcing
// clients are recorded (`announces`), not added to the swarm: the test decides who is in it.
//
// Thread-safe: every method may be called from any thread while the tracker runs. The
// destructor closes every connection and joins the thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tracker/announce.h"

namespace swarmcopy::test {

class Tracker {
 public:
  Tracker();
  ~Tracker();
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>/announce"
  std::string announce_url() const;

  // Lists an IPv4 peer for the torrent whose info-hash is `info_hash` (40 hex digits: a v1
  // info-hash, or a v2 one truncated to 20 bytes — what clients send).
  void add_peer(const std::string& info_hash, const std::string& ipv4, std::uint16_t port);

  // Every announce so far, oldest first.
  std::vector<Announce> announces() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcopy::test
