// PartialItem: a cache item being filled, and the one way bytes enter a cache item.
//
// ContentStore::begin_partial opens the item's data file once (O_NOFOLLOW, a regular file
// checked by fstat) and hands it out as this object; every byte written into the item goes
// through write() or through a descriptor that share() made from the same open file (the
// swarm's disk layer, which lives in peer/ and must not open the path itself). Nothing reopens
// the item by path to write to it: the cache directory is the daemon's, but one open, kept,
// is also one place to reason about what may have been written, and by whom.
//
// A partial item is never served; the caller checks every piece it writes (the cache trusts
// nothing in it) and then calls ContentStore::finish_partial, which syncs through this same
// descriptor and makes the item complete. into_pin() then keeps the item pinned (seeding goes
// on from the same file) and closes the descriptor: a complete item is never written again.
//
// Thread-safe: write() is a pwrite, and concurrent writes of different ranges are fine.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::cache {

class PartialItem {
 public:
  PartialItem(PartialItem&&) noexcept = default;
  PartialItem& operator=(PartialItem&&) noexcept = default;
  PartialItem(const PartialItem&) = delete;
  PartialItem& operator=(const PartialItem&) = delete;

  const std::string& key() const { return pin_.key(); }
  // Where the item lives: for readers (copying out, checking); writers use write() or share().
  const std::filesystem::path& path() const { return pin_.path(); }
  std::uint64_t size() const { return pin_.size(); }

  // Writes all of `bytes` at `offset`, which must lie within the item: a write past its end
  // would grow it beyond the space reserved for it. kDiskFull when the file system is full.
  api::Result<void> write(std::span<const char> bytes, std::uint64_t offset) const;
  // Another descriptor of the same open file (close-on-exec), for a writer in another layer.
  api::Result<util::UniqueFd> share() const;
  // The descriptor itself, for the store's own sync when the item is finished.
  int descriptor() const { return file_.get(); }

  // The finished item's pin; the descriptor is closed.
  Pin into_pin() &&;

 private:
  friend class ContentStore;
  PartialItem(Pin pin, util::UniqueFd file) : pin_(std::move(pin)), file_(std::move(file)) {}

  Pin pin_;
  util::UniqueFd file_;
};

}  // namespace swarmcopy::cache
