#include "provisional_roots.h"

namespace swarmcopy::peer {

ProvisionalRoots::ProvisionalRoots(std::uint32_t pieces) : pieces_(pieces), entries_(pieces) {}

std::optional<ProvisionalRoots::Conflict> ProvisionalRoots::learn(std::uint32_t piece,
                                                                  const Root& root,
                                                                  const std::string& supplier) {
  std::vector<std::function<void(const Root&)>> answers;
  std::optional<Conflict> conflict;
  {
    std::lock_guard lock(mutex_);
    if (piece >= pieces_ || distrusted_.contains(supplier)) return std::nullopt;
    auto& entry = entries_[piece];
    if (entry.root && *entry.root == root) {
      // The same root from this machine makes it this machine's (it outlives a distrust).
      if (supplier == kThisMachine) entry.supplier = kThisMachine;
      return std::nullopt;
    }
    if (entry.root) {
      conflict = Conflict{piece, entry.supplier, supplier};
      if (supplier != kThisMachine || entry.supplier == kThisMachine) return conflict;
      // This machine's own root wins over a peer's: the peer's is what the caller refutes.
      conflict = Conflict{piece, kThisMachine, entry.supplier};
      // What passed against the peer's root did not pass against this one.
      entry.passed = false;
    }
    entry.root = root;
    entry.supplier = supplier;
    auto [first, end] = waiters_.equal_range(piece);
    for (auto it = first; it != end; ++it) answers.push_back(std::move(it->second.answer));
    waiters_.erase(first, end);
  }
  for (auto& answer : answers) answer(root);
  return conflict;
}

std::optional<ProvisionalRoots::Root> ProvisionalRoots::root(std::uint32_t piece) const {
  std::lock_guard lock(mutex_);
  if (piece >= pieces_) return std::nullopt;
  return entries_[piece].root;
}

void ProvisionalRoots::when_known(std::uint32_t piece, const void* owner,
                                  std::function<void(const Root&)> answer) {
  std::optional<Root> known;
  {
    std::lock_guard lock(mutex_);
    if (piece >= pieces_) return;
    known = entries_[piece].root;
    if (!known) {
      waiters_.emplace(piece, Waiter{owner, std::move(answer)});
      return;
    }
  }
  answer(*known);
}

void ProvisionalRoots::drop_waiters(const void* owner) {
  std::vector<Waiter> dropped;  // destroyed outside the lock (they hold libtorrent's handlers)
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.owner == owner) {
        dropped.push_back(std::move(it->second));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

void ProvisionalRoots::passed(std::uint32_t piece) {
  std::lock_guard lock(mutex_);
  if (piece < pieces_ && entries_[piece].root) entries_[piece].passed = true;
}

std::vector<std::pair<std::uint32_t, ProvisionalRoots::Root>> ProvisionalRoots::passed_roots()
    const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint32_t, Root>> roots;
  for (std::uint32_t piece = 0; piece < pieces_; ++piece) {
    if (entries_[piece].passed) roots.emplace_back(piece, *entries_[piece].root);
  }
  return roots;
}

std::vector<std::uint32_t> ProvisionalRoots::distrust(const std::string& supplier) {
  std::lock_guard lock(mutex_);
  std::vector<std::uint32_t> forgotten;
  if (supplier == kThisMachine) return forgotten;
  distrusted_.insert(supplier);
  for (std::uint32_t piece = 0; piece < pieces_; ++piece) {
    auto& entry = entries_[piece];
    if (entry.root && entry.supplier == supplier) {
      entry = Entry{};
      forgotten.push_back(piece);
    }
  }
  return forgotten;
}

bool ProvisionalRoots::distrusted(const std::string& supplier) const {
  std::lock_guard lock(mutex_);
  return distrusted_.contains(supplier);
}

}  // namespace swarmcopy::peer
