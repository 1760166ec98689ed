#include "site_metainfo_exchange.h"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/peer_id.hpp>

#include "extended_message.h"
#include "swarmcopy/peer/session.h"

namespace swarmcopy::peer {
namespace {

constexpr char kExtension[] = "swarmcopy_site_meta";
constexpr char kInfoHashKey[] = "swarmcopy_site_meta_ih";
// Our id for the extension's messages (BEP 10: each side picks its own; 0 is the handshake).
constexpr int kLocalMessageId = 11;
constexpr char kRequest = 0;
constexpr char kData = 1;
// This machine's state changed since the handshake: one byte "fetching", then the info-hash of
// the metainfo it now offers (32 bytes) or nothing.
constexpr char kState = 2;
constexpr char kFetchingKey[] = "swarmcopy_site_fetching";

class PeerPlugin final : public lt::peer_plugin {
 public:
  PeerPlugin(std::shared_ptr<SiteMetainfoExchange> exchange, lt::bt_peer_connection_handle peer)
      : exchange_(std::move(exchange)), peer_(std::move(peer)) {}

  lt::string_view type() const override { return kExtension; }

  void add_handshake(lt::entry& handshake) override {
    handshake["m"][kExtension] = kLocalMessageId;
    const auto offer = exchange_->current_offer();
    sent_hash_ = offer.metainfo ? offer.info_hash : std::string();
    sent_fetching_ = exchange_->fetching();
    if (!sent_hash_.empty()) handshake[kInfoHashKey] = sent_hash_;
    if (sent_fetching_) handshake[kFetchingKey] = 1;
  }

  bool on_extension_handshake(const lt::bdecode_node& handshake) override {
    remote_id_ = extension_id(handshake, kExtension);
    if (remote_id_ == 0) return false;
    const auto announced = handshake.dict_find_string_value(kInfoHashKey);
    remote_state(handshake.dict_find_int_value(kFetchingKey, 0) != 0,
                 std::string(announced.data(), announced.size()));
    return true;
  }

  // libtorrent ticks each connection once a second: a state that changed since it was last told
  // goes out then (a machine that starts fetching, or finishes and offers the metainfo).
  void tick() override {
    if (remote_id_ <= 0) return;
    const auto offer = exchange_->current_offer();
    const auto hash = offer.metainfo ? offer.info_hash : std::string();
    const bool fetching = exchange_->fetching();
    // A peer's offer that was not wanted when it came (or whose asker went) is asked for now.
    if (!remote_hash_.empty() && asked_.empty() &&
        exchange_->should_ask(remote_hash_, remote_ip())) {
      asked_ = remote_hash_;
      send(kRequest, {});
    }
    if (hash == sent_hash_ && fetching == sent_fetching_) return;
    sent_hash_ = hash;
    sent_fetching_ = fetching;
    std::vector<char> payload{static_cast<char>(fetching ? 1 : 0)};
    payload.insert(payload.end(), hash.begin(), hash.end());
    send(kState, payload);
  }

  void on_disconnect(const lt::error_code&) override {
    if (!asked_.empty()) exchange_->unask(asked_);
    exchange_->forget_peer(this);
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
      if (offer.metainfo && answered_ != offer.info_hash) {
        // One answer per metainfo and connection: a peer cannot make us send it forever.
        answered_ = offer.info_hash;
        send(kData, *offer.metainfo);
      }
    } else if (body[0] == kData && !asked_.empty()) {
      const auto& remote = peer_.remote();
      const auto pid = peer_.pid();
      exchange_->deliver(remote.address().to_string() + ":" + std::to_string(remote.port()),
                         std::string(pid.data(), pid.size()), std::exchange(asked_, {}),
                         std::vector<char>(body.begin() + 1, body.end()));
    } else if (body[0] == kState && (body.size() == 2 || body.size() == 34)) {
      remote_state(body[1] != 0, std::string(body.begin() + 2, body.end()));
    }
    return true;
  }

 private:
  // What the peer says it is doing: fetching the content from the origin, or offering the
  // metainfo `info_hash` (32 bytes; empty: none). A new metainfo is asked for once.
  void remote_state(bool fetching, std::string info_hash) {
    if (info_hash.size() != 32) info_hash.clear();
    remote_hash_ = info_hash;
    const auto pid = peer_.pid();
    exchange_->peer_state(this, SiteMetainfoExchange::PeerState{std::string(pid.data(), pid.size()),
                                                                fetching, !info_hash.empty()});
    if (!info_hash.empty() && asked_.empty() && exchange_->should_ask(info_hash, remote_ip())) {
      asked_ = info_hash;
      send(kRequest, {});
    }
  }

 private:
  std::string remote_ip() const { return peer_.remote().address().to_string(); }

  void send(char kind, const std::vector<char>& payload) {
    std::vector<char> body;
    body.reserve(1 + payload.size());
    body.push_back(kind);
    body.insert(body.end(), payload.begin(), payload.end());
    send_extended(peer_, remote_id_, body);
  }

  std::shared_ptr<SiteMetainfoExchange> exchange_;
  lt::bt_peer_connection_handle peer_;
  int remote_id_ = 0;
  std::string sent_hash_;  // the offer this peer was told of
  bool sent_fetching_ = false;
  std::string remote_hash_;  // the metainfo the peer offers
  std::string asked_;        // the info-hash asked for and not received yet
  std::string answered_;     // the info-hash whose metainfo this peer was sent
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
  // A new round of wanting asks again for what an earlier round received.
  if (wanted && !wanted_) asked_.clear();
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

void SiteMetainfoExchange::set_fetching(bool fetching) {
  std::lock_guard lock(mutex_);
  fetching_ = fetching;
}

bool SiteMetainfoExchange::fetching() const {
  std::lock_guard lock(mutex_);
  return fetching_;
}

void SiteMetainfoExchange::peer_state(const void* connection, PeerState state) {
  std::lock_guard lock(mutex_);
  peers_[connection] = std::move(state);
}

void SiteMetainfoExchange::forget_peer(const void* connection) {
  std::lock_guard lock(mutex_);
  peers_.erase(connection);
}

std::vector<SiteMetainfoExchange::PeerState> SiteMetainfoExchange::peers() const {
  std::lock_guard lock(mutex_);
  std::vector<PeerState> states;
  for (const auto& [connection, state] : peers_) states.push_back(state);
  return states;
}

SiteMetainfoExchange::Offer SiteMetainfoExchange::current_offer() const {
  std::lock_guard lock(mutex_);
  return offer_;
}

bool SiteMetainfoExchange::should_ask(const std::string& info_hash, const std::string& ip) {
  std::lock_guard lock(mutex_);
  if (!wanted_ || info_hash == offer_.info_hash || refused_.contains(info_hash)) return false;
  if (asked_.contains(info_hash)) return false;
  int& asks = asks_by_ip_[ip];
  if (asks >= kMaxMetainfosPerAddress) return false;  // session.h
  ++asks;
  asked_.insert(info_hash);
  return true;
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
