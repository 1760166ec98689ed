// ProgressiveCopy: keeps a job's temporary file a copy of the verified pieces of its cache
// item while the swarm downloads, so that when the last piece arrives only the pieces since
// the last copy are left to copy and flush. Copying the whole item at the end made every
// finished download wait for a full copy and a full fsync of its file — 0.5 s per 256 MiB on
// this machine's disk, 4.5 s for 8 peers of the lab sharing it — while the disk had idled
// during the transfer.
//
// The caller hands over only pieces that are in the item's file: written by the engine itself,
// or verified by libtorrent and flushed since (peer::Session::flush: libtorrent reports a piece
// verified while its blocks may still wait in its store buffer; a 32-peer lab run once left a
// destination with stale bytes). They are copied in the kernel (copy_file_range), unread and
// unhashed: reading each piece back and hashing it again, before, cost a core for ~2 s per GiB
// on the downloader (bench/peer_pair).
//
// Thread-safe: calls are serialized by a mutex; they block (reads, writes, hashing, fsync):
// pool thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/peer/metainfo.h"
#include "temp_file.h"

namespace swarmcopy::engine::swarm {

class ProgressiveCopy {
 public:
  // `temp` is reserved to the content's size; `object` is the cache item's data file.
  ProgressiveCopy(std::shared_ptr<TempFile> temp, std::filesystem::path object,
                  std::shared_ptr<const peer::Metainfo> meta);

  // The pieces of `pieces` that the temporary file already holds from an earlier run (made
  // durable by its checkpoints) are each checked against their hash and, if they match, kept
  // as copied. Returns the kept pieces.
  api::Result<std::vector<bool>> adopt(const std::vector<bool>& pieces);

  // Copies the pieces set in `pieces` that are not copied yet, and starts writing them back to
  // disk without waiting (sync_file_range).
  api::Result<void> copy_new(const std::vector<bool>& pieces);

  // Writes `piece` (checked by the caller) from memory: in direct mode the engine has the
  // bytes at hand, and a copy out of the cache item would read them back from it.
  api::Result<void> write_piece(std::uint32_t piece, std::span<const char> data);

  // Copies every piece not copied yet (the item is complete and flushed by now), then fsyncs
  // the temporary file.
  api::Result<void> finish();

 private:
  api::Result<void> copy_pieces(const std::vector<bool>& pieces, bool write_back);

  std::shared_ptr<TempFile> temp_;
  std::filesystem::path object_;
  std::shared_ptr<const peer::Metainfo> meta_;
  std::mutex mutex_;
  std::vector<bool> copied_;  // guarded by mutex_
};

}  // namespace swarmcopy::engine::swarm
