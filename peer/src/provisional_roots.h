// ProvisionalRoots: what the pieces of a provisional swarm are checked against.
//
// Content nobody published, wanted by many machines before any of them holds it whole (a
// rollout: a site's machines all start within seconds), cannot have its metainfo yet: its piece
// hashes follow from bytes nobody has. The provisional swarm starts at once anyway, under a
// metainfo every machine derives from the SHA-256 and the size alone (make_provisional_metainfo),
// whose v1 piece hashes are placeholders. A piece's real check is the SHA-256 Merkle root of its
// 16 KiB blocks, as a machine that fetched it from the origin computed it (its own root, the one
// this machine trusts most: the origin's bytes are checked against the whole file's SHA-256 at the
// end like everything else) or as a peer that verified the piece says it is (a claim).
//
// Rules: the first root heard for a piece is the one its bytes are checked against; this
// machine's own root replaces a peer's. A second root that differs is a conflict: one of the
// two suppliers lies (the caller finds out which, from the origin, and distrusts it). A piece
// whose root is not known yet waits for it (FileDisk holds libtorrent's hash answer): its bytes
// came from a peer that verified it, and that peer sends its root too.
//
// Threads: any; every method locks. Callbacks given to when_known run on the thread that made
// the root known (libtorrent's network thread, or the engine's), outside the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <libtorrent/sha1_hash.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace swarmcopy::peer {

class ProvisionalRoots {
 public:
  using Root = lt::sha256_hash;
  // The supplier that is this machine (roots it computed from the origin's bytes).
  static inline const std::string kThisMachine;

  struct Conflict {
    std::uint32_t piece = 0;
    std::string kept_from;   // peer id (20 bytes) of the root kept; empty: this machine
    std::string other_from;  // of the root that differs
  };

  explicit ProvisionalRoots(std::uint32_t pieces);

  std::uint32_t pieces() const { return pieces_; }

  // A root for `piece` from `supplier` (a peer id, or kThisMachine). Nothing happens for a
  // distrusted supplier or a piece out of range. A differing root is reported, not taken
  // (unless it is this machine's own, which replaces a peer's).
  std::optional<Conflict> learn(std::uint32_t piece, const Root& root, const std::string& supplier);
  std::optional<Root> root(std::uint32_t piece) const;
  // `answer` runs once `piece` has a root (at once, inline, if it has one). `owner` names the
  // waiter for drop_waiters.
  void when_known(std::uint32_t piece, const void* owner, std::function<void(const Root&)> answer);
  // Waiters of `owner` are dropped, never answered (its storage is gone).
  void drop_waiters(const void* owner);

  // This machine verified `piece` against its root: the root may be passed on.
  void passed(std::uint32_t piece);
  // The roots of every piece passed here, in piece order.
  std::vector<std::pair<std::uint32_t, Root>> passed_roots() const;

  // `supplier` lied: its roots are forgotten and nothing it says is heard again. Returns the
  // pieces whose root it gave (now unknown again), passed here or not: what was checked against
  // those roots proves nothing.
  std::vector<std::uint32_t> distrust(const std::string& supplier);
  bool distrusted(const std::string& supplier) const;

 private:
  struct Entry {
    std::optional<Root> root;
    std::string supplier;
    bool passed = false;
  };
  struct Waiter {
    const void* owner = nullptr;
    std::function<void(const Root&)> answer;
  };

  const std::uint32_t pieces_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::multimap<std::uint32_t, Waiter> waiters_;
  std::set<std::string> distrusted_;
};

}  // namespace swarmcopy::peer
