// VerifiedCopy: a second file a torrent's verified pieces go into, from the bytes in memory, at
// the moment they pass their check (FileDisk). The engine keeps a job's temporary file a copy of
// the verified pieces of the cache item; copying them out of the item afterwards
// (copy_file_range) was a second pass over every byte, ~0.4 CPU-s per 256 MiB per peer in the
// 32-peer lab. A piece not written here (not whole in memory, or a failed write) is simply not
// marked: the engine copies it the old way.
//
// Thread-safe: attached and detached on the engine thread, written on libtorrent's network
// thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>

#include "swarmcopy/peer/piece_copies.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::peer {

class VerifiedCopy {
 public:
  // From now on verified pieces go into `fd` too (the caller's file, opened with the caller's
  // rights; this keeps its own descriptor), marked in `copies`.
  void attach(util::UniqueFd fd, std::shared_ptr<PieceCopies> copies);
  // No piece goes to the file after this returns.
  void detach();
  // Piece `piece`, verified, at `offset` of the file; a no-op when nothing is attached.
  void write(std::uint32_t piece, std::span<const char> bytes, std::int64_t offset);

 private:
  std::mutex mutex_;
  util::UniqueFd fd_;                    // guarded by mutex_
  std::shared_ptr<PieceCopies> copies_;  // guarded by mutex_
};

}  // namespace swarmcopy::peer
