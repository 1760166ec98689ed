#include "site_rendezvous.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

namespace swarmcopy::engine::swarm {

namespace {

constexpr auto kListedPeersPatience = std::chrono::seconds(3);
// How often a wait past its end looks again for the listed peers it still waits for.
constexpr auto kListedRecheck = std::chrono::milliseconds(100);
}  // namespace

bool is_site_metainfo(const peer::Metainfo& meta) {
  const bool hex_name =
      meta.name.size() == 64 && std::all_of(meta.name.begin(), meta.name.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      });
  return hex_name && meta.size > 0 && meta.piece_size == peer::site_piece_size(meta.size);
}

SiteRendezvous::SiteRendezvous(boost::asio::io_context& io, peer::Session& session,
                               std::vector<std::pair<std::string, std::uint16_t>> listed_peers)
    : io_(io),
      session_(session),
      listed_peers_(std::move(listed_peers)),
      opened_(std::chrono::steady_clock::now()) {}

SiteRendezvous::~SiteRendezvous() {
  *alive_ = false;
  for (auto& [sha256, place] : places_) {
    for (auto& waiter : place.waiters) waiter.timer->cancel();
    session_.leave_rendezvous(place.id);
  }
}

SiteRendezvous::Place* SiteRendezvous::join(const std::string& sha256) {
  if (auto it = places_.find(sha256); it != places_.end()) return &it->second;
  auto id = session_.join_rendezvous(sha256, [this, sha256, alive = alive_](peer::MetainfoClaim c) {
    if (*alive) on_claim(sha256, std::move(c));
  });
  if (!id) {
    spdlog::warn("sha256:{}: {}", sha256, id.error().describe());
    return nullptr;
  }
  for (const auto& info_hash : refuted_[sha256]) session_.refute_in_rendezvous(*id, info_hash);
  auto& place = places_[sha256];
  place.id = *id;
  // Discovery announces the rendezvous like any swarm; listed peers are asked directly.
  for (const auto& [host, port] : listed_peers_) session_.connect_rendezvous_peer(*id, host, port);
  return &place;
}

void SiteRendezvous::leave_if_idle(const std::string& sha256) {
  auto it = places_.find(sha256);
  if (it == places_.end() || it->second.offer || it->second.fetching ||
      !it->second.waiters.empty()) {
    return;
  }
  session_.leave_rendezvous(it->second.id);
  places_.erase(it);
}

void SiteRendezvous::offer(const peer::Metainfo& meta) {
  if (!is_site_metainfo(meta)) return;
  auto* place = join(meta.name);
  if (place == nullptr) return;
  place->offer = meta;
  session_.offer_in_rendezvous(place->id, meta);
  spdlog::debug("sha256:{}: offering its site metainfo {}", meta.name, meta.info_hash_v2);
  // Anyone waiting here now has their answer.
  auto waiters = std::exchange(place->waiters, {});
  session_.want_in_rendezvous(place->id, false);
  for (auto& waiter : waiters) {
    waiter.timer->cancel();
    boost::asio::post(io_, [found = std::move(waiter.found), meta] {
      found(peer::MetainfoClaim{"", "", meta});
    });
  }
}

void SiteRendezvous::withdraw(const std::string& sha256) {
  auto it = places_.find(sha256);
  if (it == places_.end()) return;
  it->second.offer.reset();
  // The exchange keeps handing the old metainfo out while the place stays (someone waits); a
  // peer that takes it finds no swarm for it here, only what others seed.
  leave_if_idle(sha256);
}

std::optional<peer::Metainfo> SiteRendezvous::offered(const std::string& sha256) const {
  auto it = places_.find(sha256);
  if (it == places_.end()) return std::nullopt;
  return it->second.offer;
}

void SiteRendezvous::find(const std::string& sha256, std::chrono::milliseconds wait, Found found) {
  if (auto own = offered(sha256)) {
    boost::asio::post(io_, [found = std::move(found), meta = std::move(*own)] {
      found(peer::MetainfoClaim{"", "", meta});
    });
    return;
  }
  auto* place = join(sha256);
  if (place == nullptr) {
    boost::asio::post(io_, [found = std::move(found)] { found(std::nullopt); });
    return;
  }
  Waiter waiter{next_waiter_++, std::move(found), std::make_shared<boost::asio::steady_timer>(io_),
                std::chrono::steady_clock::now() + wait + kListedPeersPatience};
  arm(waiter, sha256, wait);
  place->waiters.push_back(std::move(waiter));
  session_.want_in_rendezvous(place->id, true);
}

void SiteRendezvous::arm(Waiter& waiter, const std::string& sha256,
                         std::chrono::milliseconds after) {
  waiter.timer->expires_after(after);
  waiter.timer->async_wait(
      [this, sha256, id = waiter.id, alive = alive_](const boost::system::error_code& ec) {
        if (!ec && *alive) decide(sha256, id);
      });
}

// The wait is over and nobody offered the content: give up, unless a listed peer was never
// asked or a peer here says it offers.
void SiteRendezvous::decide(const std::string& sha256, std::uint64_t waiter_id) {
  auto it = places_.find(sha256);
  if (it == places_.end()) return;
  auto& place = it->second;
  auto waiter = std::find_if(place.waiters.begin(), place.waiters.end(),
                             [waiter_id](const Waiter& w) { return w.id == waiter_id; });
  if (waiter == place.waiters.end()) return;
  const auto& banned = banned_[sha256];
  const auto peers = session_.rendezvous_peers(place.id);
  const auto now = std::chrono::steady_clock::now();
  // A short wait (a FOREGROUND job's) is over, but a listed peer was never asked: the peer
  // session opened moments ago, for this very file, and has not reached it yet (a loaded machine
  // takes longer than the wait). Or a peer here says it offers: its claim is on its way. Both get
  // the listed peers' patience; a session older than that counts a listed peer it has not
  // reached as down, so a dead listed peer costs no file a longer wait.
  const bool unasked = peers.size() < listed_peers_.size() && now < opened_ + kListedPeersPatience;
  const bool coming = std::any_of(peers.begin(), peers.end(), [&](const auto& peer) {
    return peer.offers && !banned.contains(peer.peer_id);
  });
  if ((unasked || coming) && now < waiter->listed_until) {
    if (unasked) {
      for (const auto& [host, port] : listed_peers_) {
        session_.connect_rendezvous_peer(place.id, host, port);
      }
    }
    arm(*waiter, sha256, kListedRecheck);
    return;
  }
  give_up(sha256, waiter_id);
}

void SiteRendezvous::fetching(const std::string& sha256, bool fetching) {
  auto* place = fetching ? join(sha256) : nullptr;
  if (!fetching) {
    auto it = places_.find(sha256);
    if (it == places_.end()) return;
    place = &it->second;
  }
  if (place == nullptr) return;
  place->fetching = fetching;
  session_.fetching_in_rendezvous(place->id, fetching);
  if (!fetching) leave_if_idle(sha256);
}

void SiteRendezvous::give_up(const std::string& sha256, std::uint64_t waiter) {
  auto it = places_.find(sha256);
  if (it == places_.end()) return;
  auto& waiters = it->second.waiters;
  auto found = std::find_if(waiters.begin(), waiters.end(),
                            [waiter](const Waiter& w) { return w.id == waiter; });
  if (found == waiters.end()) return;
  auto call = std::move(found->found);
  waiters.erase(found);
  if (waiters.empty()) session_.want_in_rendezvous(it->second.id, false);
  // The caller hears first: it fetches the content now and says so (fetching()), which keeps
  // this machine at the rendezvous. Leaving first dropped every connection there, and the
  // machines waiting for this one saw it go and waited out their patience for it.
  call(std::nullopt);
  leave_if_idle(sha256);
}

void SiteRendezvous::on_claim(const std::string& sha256, peer::MetainfoClaim claim) {
  auto it = places_.find(sha256);
  if (it == places_.end() || it->second.waiters.empty()) return;
  if (refuted_[sha256].contains(claim.meta.info_hash_v2) ||
      banned_[sha256].contains(claim.peer_id)) {
    return;
  }
  spdlog::info("sha256:{}: peer {} offers metainfo {}", sha256, claim.address,
               claim.meta.info_hash_v2);
  auto waiters = std::exchange(it->second.waiters, {});
  session_.want_in_rendezvous(it->second.id, false);
  leave_if_idle(sha256);
  for (auto& waiter : waiters) {
    waiter.timer->cancel();
    boost::asio::post(io_, [found = std::move(waiter.found), claim] { found(claim); });
  }
}

std::optional<std::string> SiteRendezvous::refutation(const std::string& sha256) const {
  auto it = refutations_.find(sha256);
  if (it == refutations_.end()) return std::nullopt;
  return it->second;
}

void SiteRendezvous::refute(const std::string& sha256, const peer::MetainfoClaim& claim,
                            const std::string& why) {
  refutations_[sha256] = why;
  spdlog::warn(
      "sha256:{}: the metainfo {} from peer {} is refuted; its supplier is banned for "
      "this content",
      sha256, claim.meta.info_hash_v2, claim.address.empty() ? "(this machine)" : claim.address);
  refuted_[sha256].insert(claim.meta.info_hash_v2);
  if (!claim.peer_id.empty() && banned_[sha256].insert(claim.peer_id).second) ++suppliers_banned_;
  if (auto it = places_.find(sha256); it != places_.end()) {
    session_.refute_in_rendezvous(it->second.id, claim.meta.info_hash_v2);
  }
}

}  // namespace swarmcopy::engine::swarm
