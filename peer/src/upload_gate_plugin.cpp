#include "upload_gate_plugin.h"

namespace swarmcopy::peer {
namespace {

class GatePeer final : public lt::peer_plugin {
 public:
  explicit GatePeer(std::shared_ptr<const UploadGate> gate) : gate_(std::move(gate)) {}
  // True: libtorrent considers the request handled and sends nothing for it.
  bool on_request(const lt::peer_request&) override { return !gate_->open.load(); }

 private:
  std::shared_ptr<const UploadGate> gate_;
};

class GateTorrent final : public lt::torrent_plugin {
 public:
  explicit GateTorrent(std::shared_ptr<const UploadGate> gate) : gate_(std::move(gate)) {}
  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle&) override {
    return std::make_shared<GatePeer>(gate_);
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
