// UploadGate: whether this machine serves pieces to peers at all (Session::allow_uploads; the
// engine's minimum RAM and free disk to upload). libtorrent has no such switch: with no unchoke
// slot it still unchokes one peer optimistically, which then gets everything it asks for. The
// plugin drops every piece request while the gate is closed (on_request answers "handled"), so
// no block leaves; the requester's request times out and it asks elsewhere (its engine takes
// the piece from the origin when peers stall); requests taken before it closed are dropped by
// choking the peer at the next block sent. Set from any thread.
#pragma once

#include <atomic>
#include <libtorrent/extensions.hpp>
#include <memory>

namespace swarmcopy::peer {

struct UploadGate {
  std::atomic<bool> open{true};
};

class UploadGatePlugin final : public lt::plugin {
 public:
  explicit UploadGatePlugin(std::shared_ptr<const UploadGate> gate) : gate_(std::move(gate)) {}

  std::shared_ptr<lt::torrent_plugin> new_torrent(const lt::torrent_handle& handle,
                                                  lt::client_data_t data) override;

 private:
  std::shared_ptr<const UploadGate> gate_;
};

}  // namespace swarmcopy::peer
