#include "piece_owner.h"

#include <algorithm>

namespace swarmcopy::engine::swarm {
namespace {

// FNV-1a over the id, then the piece, then a final avalanche (splitmix64's): cheap, stable
// across machines and versions, and well spread even for ids that differ in one character.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

const std::string* best_of(std::uint32_t piece, std::span<const std::string> ids) {
  const std::string* best = nullptr;
  std::uint64_t best_rank = 0;
  for (const auto& id : ids) {
    const auto rank = piece_rank(id, piece);
    // Ties (astronomically rare) go to the smaller id so that every peer agrees.
    if (best == nullptr || rank > best_rank || (rank == best_rank && id < *best)) {
      best = &id;
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace

std::uint64_t piece_rank(const std::string& peer_id, std::uint32_t piece) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char c : peer_id) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  for (int shift = 0; shift < 32; shift += 8) {
    hash ^= (piece >> shift) & 0xff;
    hash *= 0x100000001b3ull;
  }
  return mix(hash);
}

bool origin_owner_is_self(const std::string& self, std::uint32_t piece,
                          std::span<const std::string> participants,
                          std::span<const std::string> live) {
  const std::string* owner = best_of(piece, participants);
  const auto self_rank = piece_rank(self, piece);
  if (owner == nullptr) return true;
  const auto owner_rank = piece_rank(*owner, piece);
  if (*owner == self) return true;
  if (self_rank > owner_rank || (self_rank == owner_rank && self < *owner)) return true;
  const bool owner_live = std::find(live.begin(), live.end(), *owner) != live.end();
  if (owner_live) return false;
  const std::string* successor = best_of(piece, live);
  if (successor == nullptr) return true;
  const auto successor_rank = piece_rank(*successor, piece);
  return *successor == self || self_rank > successor_rank ||
         (self_rank == successor_rank && self < *successor);
}

}  // namespace swarmcopy::engine::swarm
