// A BEP 10 extension's wire basics: what our extensions' plugins share
// (site_metainfo_exchange, root_exchange_plugin). Network thread.
#pragma once

#include <cstdint>
#include <libtorrent/bdecode.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <vector>

namespace swarmcopy::peer {

// The id the peer gives extension `name` in its extended handshake (1-255), or 0: it does not
// speak it, or the handshake is malformed.
inline int extension_id(const lt::bdecode_node& handshake, const char* name) {
  if (handshake.type() != lt::bdecode_node::dict_t) return 0;
  const auto messages = handshake.dict_find_dict("m");
  if (!messages) return 0;
  const auto id = messages.dict_find_int_value(name, 0);
  return id > 0 && id <= 255 ? static_cast<int>(id) : 0;
}

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
