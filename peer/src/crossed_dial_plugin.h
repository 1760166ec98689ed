// Two peers that dial each other at the same moment open two connections, and libtorrent 2.0
// resolves the duplicate with two rules that can disagree:
// - at the handshake, the peer with the greater peer id keeps the connection it made and
//   drops the other (both ends agree: they compare the same two ids);
// - at the extended handshake, when an incoming connection names its listen port and an
//   outgoing connection to that endpoint is still open (its handshake not answered yet), the
//   incoming one is dropped (peer_list::update_peer_port), whatever the ids say.
// When the second rule fires on the peer with the smaller id, each end has dropped a different
// connection and the pair is apart; both redial in step and it happened again (three engines
// that listed each other were apart for seconds: 1.2-1.4x origin egress).
//
// This plugin applies the first rule before the second can: on the smaller peer, an incoming
// connection's extended handshake closes the outgoing connection to the same listen endpoint,
// which the greater peer drops anyway. What stays is the connection the greater peer made.
#pragma once

#include <libtorrent/extensions.hpp>
#include <libtorrent/peer_id.hpp>
#include <memory>

namespace swarmcopy::peer {

class CrossedDialPlugin final : public lt::plugin {
 public:
  explicit CrossedDialPlugin(const lt::peer_id& self) : self_(self) {}

  std::shared_ptr<lt::torrent_plugin> new_torrent(const lt::torrent_handle& handle,
                                                  lt::client_data_t data) override;

 private:
  lt::peer_id self_;
};

}  // namespace swarmcopy::peer
