// ProgressiveCopy: keeps a job's temporary file a copy of the part of its cache item that is
// verified and on disk, while the swarm downloads, so that when the last piece arrives only
// the pieces since the last checkpoint are left to copy and flush. Copying the whole item at
// the end made every finished download wait for a full copy and a full fsync of its file —
// 0.5 s per 256 MiB on this machine's disk, 4.5 s for 8 peers of the lab sharing it — while
// the disk had idled during the transfer.
//
// Every byte copied is verified content (the cache item's pieces, checked by libtorrent or by
// us), so a copy racing another writer of the same file writes the same bytes. Thread-safe:
// calls are serialized by a mutex; they block (copy_file_range, fsync): pool thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include "range_set.h"
#include "swarmcopy/api/error.h"
#include "temp_file.h"

namespace swarmcopy::engine::swarm {

class ProgressiveCopy {
 public:
  // `temp` is reserved to `size` bytes; `object` is the cache item's data file.
  ProgressiveCopy(std::shared_ptr<TempFile> temp, std::filesystem::path object, std::uint64_t size);

  // Copies what of `durable` (ranges of the object already fdatasync'ed) is not copied yet, and
  // starts writing it back to disk without waiting for it (sync_file_range).
  api::Result<void> copy_new(const RangeSet& durable);

  // Copies everything not copied yet (the object is complete and synced by now), then fsyncs
  // the temporary file.
  api::Result<void> finish();

  std::uint64_t copied_bytes() const;

 private:
  api::Result<void> copy_missing(const RangeSet& wanted, bool write_back);

  std::shared_ptr<TempFile> temp_;
  std::filesystem::path object_;
  std::uint64_t size_;
  mutable std::mutex mutex_;
  RangeSet copied_;  // guarded by mutex_
};

}  // namespace swarmcopy::engine::swarm
