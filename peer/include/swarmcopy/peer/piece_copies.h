// PieceCopies: which pieces of a swarm the disk layer has written into a second file as well
// (see Session::copy_verified_into). Written on libtorrent's network thread, read on others:
// every access is atomic. Once a piece is marked it stays marked.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace swarmcopy::peer {

class PieceCopies {
 public:
  explicit PieceCopies(std::uint32_t pieces)
      : pieces_(pieces), copied_(std::make_unique<std::atomic<bool>[]>(pieces)) {}

  std::uint32_t pieces() const { return pieces_; }
  bool has(std::uint32_t piece) const {
    return piece < pieces_ && copied_[piece].load(std::memory_order_acquire);
  }
  void mark(std::uint32_t piece) {
    if (piece < pieces_) copied_[piece].store(true, std::memory_order_release);
  }

 private:
  std::uint32_t pieces_;
  std::unique_ptr<std::atomic<bool>[]> copied_;
};

}  // namespace swarmcopy::peer
