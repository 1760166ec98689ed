// SiteRendezvous: where content nobody published (no metainfo at the origin, but a SHA-256 the
// caller or the origin gave) is found on the site. A machine that holds such content complete
// offers the metainfo it made for it (peer::make_site_metainfo: the same on every machine for
// the same bytes) at the content's rendezvous (peer::Session::join_rendezvous); a machine that
// wants it asks there and takes the first claim that comes within a short wait.
//
// Many machines wanting content that nobody holds yet (a rollout: all start within seconds) find
// no offer here: nobody can make the metainfo before someone holds the whole file. They meet in
// the content's provisional swarm instead (FileTransfer::start_provisional) and say so here
// ("fetching"), which keeps them at the rendezvous: a machine that arrives later sees them (its
// wait for a listed peer ends) and follows them there.
//
// A claim is only a claim: the transfer that uses it checks its origin pieces against it and
// the whole file against the SHA-256 before anything counts. A refuted claim's metainfo and its
// supplier are not taken again for that content (refute).
//
// Engine thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"

namespace swarmcopy::engine::swarm {

// A metainfo made on the site: named by the content's SHA-256 (64 lower-case hex digits), with
// the piece size the size gives (peer::site_piece_size).
bool is_site_metainfo(const peer::Metainfo& meta);

class SiteRendezvous {
 public:
  // The claim found (its address empty: this machine's own offer), or nullopt: none came.
  using Found = std::function<void(std::optional<peer::MetainfoClaim>)>;

  SiteRendezvous(boost::asio::io_context& io, peer::Session& session,
                 std::vector<std::pair<std::string, std::uint16_t>> listed_peers);
  ~SiteRendezvous();
  SiteRendezvous(const SiteRendezvous&) = delete;
  SiteRendezvous& operator=(const SiteRendezvous&) = delete;

  // This machine holds the content `meta` describes (is_site_metainfo), complete and verified:
  // peers that want it are given `meta`.
  void offer(const peer::Metainfo& meta);
  // It holds it no more.
  void withdraw(const std::string& sha256);
  // The metainfo this machine offers for `sha256`, if any.
  std::optional<peer::Metainfo> offered(const std::string& sha256) const;

  // The first claim for `sha256` within `wait` (this machine's own offer at once), or nullopt.
  // A wait that ends while a listed peer is not reached yet (the session opened less than 3 s
  // ago) or while a peer here says it offers goes on for them, 3 s at most past `wait`.
  // `found` runs once, on the engine thread, never inline.
  void find(const std::string& sha256, std::chrono::milliseconds wait, Found found);
  // This machine fetches `sha256` (from the origin, or in its provisional swarm) and stays at
  // its rendezvous meanwhile (true), or no longer does.
  void fetching(const std::string& sha256, bool fetching);

  // The content refuted `claim` (`why`: how): its metainfo is never taken again for `sha256`,
  // nor anything its supplier offers for it.
  void refute(const std::string& sha256, const peer::MetainfoClaim& claim, const std::string& why);
  // The last refutation for `sha256` ("the metainfo peer A offered was refuted: ..."), if any:
  // why peers give nothing for it now.
  std::optional<std::string> refutation(const std::string& sha256) const;
  // Suppliers (per content) banned for a refuted metainfo since the rendezvous opened.
  std::uint64_t suppliers_banned() const { return suppliers_banned_; }

 private:
  struct Waiter {
    std::uint64_t id = 0;
    Found found;
    std::shared_ptr<boost::asio::steady_timer> timer;
    // Past `wait`, the wait goes on until then for listed peers not reached yet, or a claim on
    // its way.
    std::chrono::steady_clock::time_point listed_until;
  };
  struct Place {
    peer::RendezvousId id = 0;
    std::optional<peer::Metainfo> offer;
    std::vector<Waiter> waiters;
    bool fetching = false;
  };

  Place* join(const std::string& sha256);
  void leave_if_idle(const std::string& sha256);
  void on_claim(const std::string& sha256, peer::MetainfoClaim claim);
  void give_up(const std::string& sha256, std::uint64_t waiter);
  void decide(const std::string& sha256, std::uint64_t waiter);
  void arm(Waiter& waiter, const std::string& sha256, std::chrono::milliseconds after);

  boost::asio::io_context& io_;
  peer::Session& session_;
  std::vector<std::pair<std::string, std::uint16_t>> listed_peers_;
  std::chrono::steady_clock::time_point opened_;  // with the peer session
  std::map<std::string, Place> places_;
  // Per content: refuted metainfo (v2 info-hashes) and the peers (peer ids) that offered them.
  std::map<std::string, std::set<std::string>> refuted_, banned_;
  std::map<std::string, std::string> refutations_;
  std::uint64_t suppliers_banned_ = 0;
  std::uint64_t next_waiter_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine::swarm
