// Peers of a test stay on loopback. A swarmcopy engine's defaults listen on every interface
// and announce its swarms by multicast (local service discovery), which would put a test's
// traffic on the machine's network and, with tests running side by side, let two tests that
// hold the same bytes swarm with each other (a test counting origin bytes then fails). Tests
// that need discovery run their machines in network namespaces of their own (harness/).
#pragma once

#include <string>
#include <vector>

namespace swarmcopy::test {

inline constexpr const char* kLoopbackPeerListen = "127.0.0.1:0";

// For an embedded engine's PeerOptions (a template: this library links no project code).
template <typename PeerOptions>
void keep_peers_on_loopback(PeerOptions& peer) {
  peer.listen = kLoopbackPeerListen;
  peer.local_discovery = false;
}

// swarmcopyd's options (a later --peer-listen or --local-discovery wins).
inline std::vector<std::string> loopback_daemon_peer_args() {
  return {"--peer-listen", kLoopbackPeerListen, "--local-discovery", "false"};
}

// `swarmcopy get`'s options (a later --listen wins).
inline std::vector<std::string> loopback_get_peer_args() {
  return {"--listen", kLoopbackPeerListen, "--no-lsd"};
}

}  // namespace swarmcopy::test
