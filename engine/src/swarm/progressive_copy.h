// ProgressiveCopy: keeps a job's temporary file a copy of the verified pieces of its cache
// item while the swarm downloads, so that when the last piece arrives only the pieces since
// the last checkpoint are left to copy and flush. Copying the whole item at the end made every
// finished download wait for a full copy and a full fsync of its file — 0.5 s per 256 MiB on
// this machine's disk, 4.5 s for 8 peers of the lab sharing it — while the disk had idled
// during the transfer.
//
// What reaches the temporary file is checked on the way: a piece libtorrent verified may still
// sit in its write buffer, not yet in the cache item's file (seen with 32 peers on 2 cores: a
// destination with stale bytes), so every piece is read back and checked against its v1 hash
// unless the caller marks it `trusted` (written and checked by the engine itself). A piece that
// does not match yet is left for the next call.
//
// Thread-safe: calls are serialized by a mutex; they block (reads, writes, hashing, fsync):
// pool thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
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

  // Copies the pieces set in `pieces` that are not copied yet, and starts writing them back to
  // disk without waiting (sync_file_range). A piece that fails its check is skipped.
  api::Result<void> copy_new(const std::vector<bool>& pieces, const std::vector<bool>& trusted);

  // Copies every piece not copied yet (the item is complete by now), then fsyncs the
  // temporary file. A piece that still fails its check after a few seconds of retries is an
  // error (kChecksumMismatch): the destination never gets it.
  api::Result<void> finish(const std::vector<bool>& trusted);

 private:
  // Returns the number of pieces of `pieces` still not copied (failed their check).
  api::Result<std::uint32_t> copy_pieces(const std::vector<bool>& pieces,
                                         const std::vector<bool>& trusted, bool write_back);

  std::shared_ptr<TempFile> temp_;
  std::filesystem::path object_;
  std::shared_ptr<const peer::Metainfo> meta_;
  std::mutex mutex_;
  std::vector<bool> copied_;  // guarded by mutex_
};

}  // namespace swarmcopy::engine::swarm
