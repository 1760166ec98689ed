#include "crossed_dial_plugin.h"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/operations.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <vector>

namespace swarmcopy::peer {
namespace {

// A swarm's connections, as libtorrent announced them. Only touched on libtorrent's network
// thread (every plugin callback runs there).
struct Connections {
  std::vector<lt::peer_connection_handle> all;

  void forget_closed() {
    std::erase_if(all, [](const auto& c) { return c.native_handle() == nullptr; });
  }
};

class ConnectionWatch final : public lt::peer_plugin {
 public:
  ConnectionWatch(lt::peer_connection_handle self, std::shared_ptr<Connections> connections,
                  const lt::peer_id& our_id)
      : self_(std::move(self)), connections_(std::move(connections)), our_id_(our_id) {}

  bool on_extension_handshake(const lt::bdecode_node& handshake) override {
    // Only a connection the peer made names its listen port.
    if (self_.is_outgoing()) return true;
    const auto listen_port = handshake.dict_find_int_value("p", 0);
    if (listen_port <= 0 || listen_port > 0xffff) return true;
    // The greater peer keeps the connection it made: ours to it is the one to go.
    if (!(our_id_ < self_.pid())) return true;
    const lt::tcp::endpoint listen(self_.remote().address(),
                                   static_cast<std::uint16_t>(listen_port));
    connections_->forget_closed();
    for (auto& other : connections_->all) {
      if (other == self_ || !other.is_outgoing() || other.is_disconnecting()) continue;
      if (other.remote() != listen) continue;
      other.disconnect(lt::errors::duplicate_peer_id, lt::operation_t::bittorrent);
    }
    return true;
  }

 private:
  lt::peer_connection_handle self_;
  std::shared_ptr<Connections> connections_;
  lt::peer_id our_id_;
};

class SwarmWatch final : public lt::torrent_plugin {
 public:
  explicit SwarmWatch(const lt::peer_id& our_id) : our_id_(our_id) {}

  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle& c) override {
    connections_->forget_closed();
    connections_->all.push_back(c);
    return std::make_shared<ConnectionWatch>(c, connections_, our_id_);
  }

 private:
  std::shared_ptr<Connections> connections_ = std::make_shared<Connections>();
  lt::peer_id our_id_;
};

}  // namespace

std::shared_ptr<lt::torrent_plugin> CrossedDialPlugin::new_torrent(const lt::torrent_handle&,
                                                                   lt::client_data_t) {
  return std::make_shared<SwarmWatch>(self_);
}

}  // namespace swarmcopy::peer
