// Sending a BEP 10 extended message on a connection: what our extensions' plugins share
// (site_metainfo_exchange, root_exchange_plugin). Network thread.
#pragma once

#include <cstdint>
#include <libtorrent/peer_connection_handle.hpp>
#include <vector>

namespace swarmcopy::peer {

// `body` framed as an extended message (length, 20, the id the peer gave the extension in its
// handshake) and queued on `peer`. Nothing is sent before the peer named an id (remote_id <= 0).
inline void send_extended(lt::bt_peer_connection_handle& peer, int remote_id,
                          const std::vector<char>& body) {
  if (remote_id <= 0) return;
  const auto length = static_cast<std::uint32_t>(2 + body.size());
  std::vector<char> message;
  message.reserve(4 + length);
  for (int shift = 24; shift >= 0; shift -= 8) {
    message.push_back(static_cast<char>((length >> shift) & 0xff));
  }
  message.push_back(20);  // BEP 10's extended message
  message.push_back(static_cast<char>(remote_id));
  message.insert(message.end(), body.begin(), body.end());
  peer.send_buffer(message.data(), static_cast<int>(message.size()));
}

}  // namespace swarmcopy::peer
