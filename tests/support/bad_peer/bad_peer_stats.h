// BadPeerStats: what a BadPeer (bad_peer.h) has seen and done so far, as one consistent
// snapshot. Plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace swarmcopy::test {

struct BadPeerStats {
  std::uint64_t connections_accepted = 0;  // incoming TCP connections
  std::uint64_t connections_dialed = 0;    // outgoing connections that were established
  std::uint64_t dial_failures = 0;
  // Connections past both handshakes (ours and the remote's, same torrent).
  std::uint64_t handshakes = 0;
  // Connections closed at once because the remote did not open with a plain BitTorrent
  // handshake for our torrent, e.g. libtorrent's first dial of a peer given to connect_peer,
  // which is encrypted (MSE); it redials in plain text at once.
  std::uint64_t handshakes_refused = 0;
  std::uint64_t requests = 0;  // `request` messages received
  std::uint64_t blocks_sent = 0;
  std::uint64_t garbage_blocks_sent = 0;
  std::uint64_t bytes_sent = 0;  // block payload written, garbage and true data alike
  // Connections the remote ended (FIN or RST), as opposed to ones we or our destructor closed.
  std::uint64_t remote_closes = 0;
  std::optional<std::chrono::steady_clock::time_point> first_remote_close;
  std::optional<std::chrono::steady_clock::time_point> last_remote_close;
  int open_connections = 0;
  // Pieces of which every byte has been written to some connection, in the order they were
  // completed ("written": handed to the kernel; the remote may have hung up before reading it
  // all — but TCP is in order, so when it reacts to one piece it has read all earlier ones).
  std::vector<std::uint32_t> pieces_delivered;
  // Delivered pieces in which at least one block was garbage.
  std::set<std::uint32_t> garbage_pieces_delivered;
};

}  // namespace swarmcopy::test
