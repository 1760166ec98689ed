#include "upload_gate_plugin.h"

#include <libtorrent/peer_connection_handle.hpp>

namespace swarmcopy::peer {
namespace {

class GatePeer final : public lt::peer_plugin {
 public:
  GatePeer(std::shared_ptr<const UploadGate> gate, lt::peer_connection_handle connection)
      : gate_(std::move(gate)), connection_(std::move(connection)) {}
  // True: libtorrent considers the request handled and sends nothing for it.
  bool on_request(const lt::peer_request&) override { return !gate_->open.load(); }
  // Requests taken before the gate closed are still queued (a fast downloader keeps megabytes
  // of them): the first block sent after it closed chokes the peer, which drops (or, with the
  // fast extension, rejects) the rest. The monthly upload cap relies on it.
  void sent_piece(const lt::peer_request&) override {
    if (!gate_->open.load() && !connection_.is_choked()) connection_.choke_this_peer();
  }

 private:
  std::shared_ptr<const UploadGate> gate_;
  lt::peer_connection_handle connection_;
};

class GateTorrent final : public lt::torrent_plugin {
 public:
  explicit GateTorrent(std::shared_ptr<const UploadGate> gate) : gate_(std::move(gate)) {}
  std::shared_ptr<lt::peer_plugin> new_connection(
      const lt::peer_connection_handle& connection) override {
    return std::make_shared<GatePeer>(gate_, connection);
  }

 private:
  std::shared_ptr<const UploadGate> gate_;
};

}  // namespace

std::shared_ptr<lt::torrent_plugin> UploadGatePlugin::new_torrent(const lt::torrent_handle&,
                                                                  lt::client_data_t) {
  return std::make_shared<GateTorrent>(gate_);
}

}  // namespace swarmcopy::peer
