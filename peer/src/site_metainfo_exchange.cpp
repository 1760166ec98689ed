#include "site_metainfo_exchange.h"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/peer_id.hpp>

namespace swarmcopy::peer {
namespace {

constexpr char kExtension[] = "swarmcopy_site_meta";
constexpr char kInfoHashKey[] = "swarmcopy_site_meta_ih";
// Our id for the extension's messages (BEP 10: each side picks its own; 0 is the handshake).
constexpr int kLocalMessageId = 11;
constexpr char kRequest = 0;
constexpr char kData = 1;

class PeerPlugin final : public lt::peer_plugin {
 public:
  PeerPlugin(std::shared_ptr<SiteMetainfoExchange> exchange, lt::bt_peer_connection_handle peer)
      : exchange_(std::move(exchange)), peer_(std::move(peer)) {}

  lt::string_view type() const override { return kExtension; }

  void add_handshake(lt::entry& handshake) override {
    handshake["m"][kExtension] = kLocalMessageId;
    const auto offer = exchange_->current_offer();
    if (offer.metainfo) handshake[kInfoHashKey] = offer.info_hash;
  }

  bool on_extension_handshake(const lt::bdecode_node& handshake) override {
    if (handshake.type() != lt::bdecode_node::dict_t) return false;
    const auto messages = handshake.dict_find_dict("m");
    if (!messages) return false;
    remote_id_ = static_cast<int>(messages.dict_find_int_value(kExtension, 0));
    if (remote_id_ <= 0 || remote_id_ > 255) return false;
    const auto announced = handshake.dict_find_string_value(kInfoHashKey);
    if (announced.size() == 32) {
      announced_.assign(announced.data(), announced.size());
      if (exchange_->should_ask(announced_)) {
        asked_ = true;
        send(kRequest, {});
      }
    }
    return true;
  }

  void on_disconnect(const lt::error_code&) override {
    if (asked_ && !received_) exchange_->unask(announced_);
  }

  bool on_extended(int length, int message, lt::span<const char> body) override {
    if (message != kLocalMessageId) return false;
    if (length < 1 ||
        static_cast<std::size_t>(length) > SiteMetainfoExchange::kMaxMetainfoBytes + 1) {
      peer_.disconnect(lt::errors::invalid_message, lt::operation_t::bittorrent,
                       lt::peer_connection_interface::peer_error);
      return true;
    }
    if (!peer_.packet_finished()) return true;
    if (body.empty()) return true;
    if (body[0] == kRequest) {
      const auto offer = exchange_->current_offer();
      if (offer.metainfo && !answered_) {
        answered_ = true;  // one answer per connection: a peer cannot make us send it forever
        send(kData, *offer.metainfo);
      }
    } else if (body[0] == kData && asked_ && !received_) {
      received_ = true;
      const auto& remote = peer_.remote();
      const auto pid = peer_.pid();
      exchange_->deliver(remote.address().to_string() + ":" + std::to_string(remote.port()),
                         std::string(pid.data(), pid.size()), announced_,
                         std::vector<char>(body.begin() + 1, body.end()));
    }
    return true;
  }

 private:
  void send(char kind, const std::vector<char>& payload) {
    if (remote_id_ <= 0) return;
    const std::uint32_t length = static_cast<std::uint32_t>(2 + 1 + payload.size());
    std::vector<char> message;
    message.reserve(4 + length);
    for (int shift = 24; shift >= 0; shift -= 8) {
      message.push_back(static_cast<char>((length >> shift) & 0xff));
    }
    message.push_back(20);  // BEP 10's extended message
    message.push_back(static_cast<char>(remote_id_));
    message.push_back(kind);
    message.insert(message.end(), payload.begin(), payload.end());
    peer_.send_buffer(message.data(), static_cast<int>(message.size()));
  }

  std::shared_ptr<SiteMetainfoExchange> exchange_;
  lt::bt_peer_connection_handle peer_;
  int remote_id_ = 0;
  std::string announced_;
  bool answered_ = false;
  bool asked_ = false;
  bool received_ = false;
};

class TorrentPlugin final : public lt::torrent_plugin {
 public:
  explicit TorrentPlugin(std::shared_ptr<SiteMetainfoExchange> exchange)
      : exchange_(std::move(exchange)) {}

  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle& peer) override {
    if (peer.type() != lt::connection_type::bittorrent) return {};
    return std::make_shared<PeerPlugin>(exchange_, lt::bt_peer_connection_handle(peer));
  }

 private:
  std::shared_ptr<SiteMetainfoExchange> exchange_;
};

}  // namespace

void SiteMetainfoExchange::offer(std::vector<char> metainfo, std::string info_hash) {
  std::lock_guard lock(mutex_);
  offer_.metainfo = std::make_shared<const std::vector<char>>(std::move(metainfo));
  offer_.info_hash = std::move(info_hash);
}

void SiteMetainfoExchange::want(bool wanted) {
  std::lock_guard lock(mutex_);
  wanted_ = wanted;
}

void SiteMetainfoExchange::known(const std::string& info_hash) {
  std::lock_guard lock(mutex_);
  refused_.insert(info_hash);
}

void SiteMetainfoExchange::unask(const std::string& info_hash) {
  std::lock_guard lock(mutex_);
  asked_.erase(info_hash);
}

SiteMetainfoExchange::Offer SiteMetainfoExchange::current_offer() const {
  std::lock_guard lock(mutex_);
  return offer_;
}

bool SiteMetainfoExchange::should_ask(const std::string& info_hash) {
  std::lock_guard lock(mutex_);
  if (!wanted_ || info_hash == offer_.info_hash || refused_.contains(info_hash)) return false;
  return asked_.insert(info_hash).second;
}

void SiteMetainfoExchange::deliver(std::string address, std::string peer_id, std::string info_hash,
                                   std::vector<char> bytes) {
  received_(std::move(address), std::move(peer_id), std::move(info_hash), std::move(bytes));
}

std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
SiteMetainfoExchange::plugin_factory() {
  return [exchange = std::shared_ptr<SiteMetainfoExchange>(shared_from_this())](
             const lt::torrent_handle&, lt::client_data_t) -> std::shared_ptr<lt::torrent_plugin> {
    return std::make_shared<TorrentPlugin>(exchange);
  };
}

}  // namespace swarmcopy::peer
