// DestinationFile: the job's temporary file while its swarm fills the cache item, the destination
// side of a SwarmTransfer. It is opened as the job's owner with the content's space reserved (a
// full disk shows before any download), kept a copy of the verified pieces as they come
// (ProgressiveCopy, in batches once libtorrent's writes of them have landed), synced at
// checkpoints (the progress the job commits), and finished by copying the rest and hashing the
// whole. The cache item and the destination stay separate files: nothing is shared.
//
// What is verified, copied and durable is the ledger's (PieceLedger's copy stage); this class
// does the file work, on the pool, and tells the ledger. Engine thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "piece_ledger.h"
#include "progressive_copy.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/peer/metainfo.h"
#include "temp_file.h"
#include "transfer_hooks.h"

namespace swarmcopy::engine::swarm {

class DestinationFile {
 public:
  struct Deps {
    boost::asio::io_context& io;
    boost::asio::thread_pool& pool;
    PieceLedger& ledger;
    std::chrono::milliseconds checkpoint_interval;
  };
  // Calls `done(true)` once the pieces verified so far are in the cache item's file
  // (peer::Session::flush), `done(false)` if that cannot be said.
  using FlushItem = std::function<void(std::function<void(bool flushed)> done)>;
  // The bytes now durable in the file (the ledger has them as such already): to commit.
  using Durable = std::function<void(const RangeSet& durable)>;
  // The whole content is in the file and synced; with its SHA-256 when one was asked for.
  using Finished =
      std::function<void(api::Result<void> copied, std::optional<api::Result<std::string>> hash)>;

  DestinationFile(Deps deps, const TransferSettings& settings, std::filesystem::path temp_path,
                  std::shared_ptr<const peer::Metainfo> meta);
  ~DestinationFile();
  DestinationFile(const DestinationFile&) = delete;
  DestinationFile& operator=(const DestinationFile&) = delete;

  // Opens the file as the job's owner and reserves the content's size. `keep`: the pieces of an
  // earlier run stay (a resumed job adopts them); else it starts empty.
  api::Result<void> open(bool keep);
  // From now on the file follows the cache item at `object`, a piece at a time. `adopt`: the
  // pieces an earlier run made durable are checked first (after a reboot the cache item may
  // have lost what the file kept) and the ledger adopts those that match.
  void follow(const std::filesystem::path& object, bool adopt);
  // For the direct mode's writes from memory (null until follow()).
  const std::shared_ptr<ProgressiveCopy>& mirror() const { return mirror_; }

  // Each tick: a batch of the ledger's verified pieces, once `flush` says they are in the item.
  void copy_verified(const FlushItem& flush);
  // Each tick, at most every checkpoint interval: syncs the file when the ledger has pieces in
  // it that `committed` lacks, then calls `durable`.
  void checkpoint(const RangeSet& committed, Durable durable);
  // The rest of the content into the file (from the complete item at `object`, which it
  // follows or not), then one sync; hashed when `hash`.
  void finish(const std::filesystem::path& object, bool hash, Finished done);
  // The caller's hash refused the content: the file goes (as the owner).
  void discard();

 private:
  void on_copied(const std::vector<bool>& batch, bool copied);

  Deps deps_;
  const TransferSettings& settings_;
  std::filesystem::path temp_path_;
  std::shared_ptr<const peer::Metainfo> meta_;
  std::shared_ptr<TempFile> temp_;
  std::shared_ptr<ProgressiveCopy> mirror_;  // null when the item was complete from the start
  bool copy_in_flight_ = false;              // adoption or a batch
  bool sync_in_flight_ = false;
  std::chrono::steady_clock::time_point last_copy_{};
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine::swarm
