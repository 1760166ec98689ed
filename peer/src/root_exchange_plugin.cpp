#include "root_exchange_plugin.h"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/peer_id.hpp>
#include <vector>

#include "extended_message.h"

namespace swarmcopy::peer {
namespace {

constexpr char kExtension[] = "swarmcopy_roots";
// Our id for the extension's messages (BEP 10: each side picks its own; 0 is the handshake).
constexpr int kLocalMessageId = 12;
constexpr std::size_t kEntry = 4 + 32;
// Entries per message: a whole file's roots (2048 pieces at most by site_piece_size) in a few
// messages, each far below libtorrent's limit on a message.
constexpr std::size_t kEntriesPerMessage = 1024;

void append_entry(std::vector<char>& out, std::uint32_t piece, const ProvisionalRoots::Root& root) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(piece >> shift));
  out.insert(out.end(), root.data(), root.data() + root.size());
}

class PeerPlugin final : public lt::peer_plugin {
 public:
  PeerPlugin(std::shared_ptr<ProvisionalRoots> roots, Conflicted conflicted,
             lt::bt_peer_connection_handle peer)
      : roots_(std::move(roots)), conflicted_(std::move(conflicted)), peer_(std::move(peer)) {
    const auto pid = peer_.pid();
    peer_id_.assign(pid.data(), pid.size());
  }

  lt::string_view type() const override { return kExtension; }

  void add_handshake(lt::entry& handshake) override {
    handshake["m"][kExtension] = kLocalMessageId;
  }

  bool on_extension_handshake(const lt::bdecode_node& handshake) override {
    remote_id_ = extension_id(handshake, kExtension);
    if (remote_id_ == 0) return false;
    // The peer id is known by now (the BitTorrent handshake came first).
    const auto pid = peer_.pid();
    peer_id_.assign(pid.data(), pid.size());
    if (close_if_distrusted()) return true;
    const auto passed = roots_->passed_roots();
    for (std::size_t first = 0; first < passed.size(); first += kEntriesPerMessage) {
      std::vector<char> payload;
      const auto end = std::min(passed.size(), first + kEntriesPerMessage);
      payload.reserve((end - first) * kEntry);
      for (auto at = first; at < end; ++at)
        append_entry(payload, passed[at].first, passed[at].second);
      send(payload);
    }
    return true;
  }

  void tick() override { close_if_distrusted(); }

  bool on_extended(int length, int message, lt::span<const char> body) override {
    if (message != kLocalMessageId) return false;
    if (length <= 0 || static_cast<std::size_t>(length) % kEntry != 0 ||
        static_cast<std::size_t>(length) > kEntriesPerMessage * kEntry) {
      peer_.disconnect(lt::errors::invalid_message, lt::operation_t::bittorrent,
                       lt::peer_connection_interface::peer_error);
      return true;
    }
    if (!peer_.packet_finished()) return true;
    if (close_if_distrusted()) return true;
    for (std::size_t at = 0; at + kEntry <= std::size_t(body.size()); at += kEntry) {
      std::uint32_t piece = 0;
      for (std::size_t byte = 0; byte < 4; ++byte) {
        piece =
            (piece << 8) | static_cast<unsigned char>(body[static_cast<std::ptrdiff_t>(at + byte)]);
      }
      const ProvisionalRoots::Root root(body.data() + at + 4);
      if (piece >= roots_->pieces()) {
        peer_.disconnect(lt::errors::invalid_piece_index, lt::operation_t::bittorrent,
                         lt::peer_connection_interface::peer_error);
        return true;
      }
      if (auto conflict = roots_->learn(piece, root, peer_id_)) conflicted_(std::move(*conflict));
    }
    return true;
  }

  // The root of a piece this machine just verified.
  void announce(std::uint32_t piece, const ProvisionalRoots::Root& root) {
    std::vector<char> payload;
    append_entry(payload, piece, root);
    send(payload);
  }

 private:
  bool close_if_distrusted() {
    if (peer_id_.empty() || !roots_->distrusted(peer_id_)) return false;
    peer_.disconnect(lt::errors::peer_banned, lt::operation_t::bittorrent,
                     lt::peer_connection_interface::normal);
    return true;
  }

  void send(const std::vector<char>& payload) {
    if (!payload.empty()) send_extended(peer_, remote_id_, payload);
  }

  std::shared_ptr<ProvisionalRoots> roots_;
  Conflicted conflicted_;
  lt::bt_peer_connection_handle peer_;
  std::string peer_id_;
  int remote_id_ = 0;
};

class TorrentPlugin final : public lt::torrent_plugin {
 public:
  TorrentPlugin(std::shared_ptr<ProvisionalRoots> roots, Conflicted conflicted)
      : roots_(std::move(roots)), conflicted_(std::move(conflicted)) {}

  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle& peer) override {
    if (peer.type() != lt::connection_type::bittorrent) return {};
    auto plugin =
        std::make_shared<PeerPlugin>(roots_, conflicted_, lt::bt_peer_connection_handle(peer));
    std::erase_if(peers_, [](const auto& weak) { return weak.expired(); });
    peers_.push_back(plugin);
    return plugin;
  }

  void on_piece_pass(lt::piece_index_t index) override {
    const auto piece = static_cast<std::uint32_t>(static_cast<int>(index));
    roots_->passed(piece);
    const auto root = roots_->root(piece);
    if (!root) return;
    for (const auto& weak : peers_) {
      if (auto peer = weak.lock()) peer->announce(piece, *root);
    }
  }

 private:
  std::shared_ptr<ProvisionalRoots> roots_;
  Conflicted conflicted_;
  std::vector<std::weak_ptr<PeerPlugin>> peers_;
};

}  // namespace

std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
root_exchange_plugin(std::shared_ptr<ProvisionalRoots> roots, Conflicted conflicted) {
  return [roots = std::move(roots), conflicted = std::move(conflicted)](
             const lt::torrent_handle&, lt::client_data_t) -> std::shared_ptr<lt::torrent_plugin> {
    return std::make_shared<TorrentPlugin>(roots, conflicted);
  };
}

}  // namespace swarmcopy::peer
