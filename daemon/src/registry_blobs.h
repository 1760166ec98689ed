// RegistryBlobs: the registry mirror's BlobSource over the daemon's engine. Each blob is a
// HIGH-priority job of the daemon's own user (peers first: see fetch_job) with one file: the
// upstream's blob URL, the digest's SHA-256 as the expected hash (the content's identity: peers
// that hold it serve it, "content nobody published"), destination a name of ours in
// STATE_DIR/registry-mirror/ (never one made from the request).
//
// Streaming: while the job runs, the bytes at the start of its temporary file that the engine
// has synced (engine::Service::file_ready) go to the client as they come, read through a
// descriptor opened on that file (same directory, ours). Once TRANSFERRED the job is
// completed (the file renamed into place: same inode, the descriptor stays good) and the name
// unlinked: the descriptor is what clients are sent, and the verified content stays in the
// cache for peers for the seed time. The whole file's SHA-256 is checked when its last byte is
// in: if it fails, or the transfer starts over (the synced prefix shrinks, or the temporary
// file is another one), the fetch fails and each client's answer ends short — a runtime then
// retries, and checks the digest itself in any case.
//
// The client's Authorization header goes with the origin request: the engine then treats the
// content as private (never peered, never seeded, never served to another user from the
// cache), so an authenticated registry's blobs go origin → this machine only.
//
// Clients asking for one blob at once share one fetch (a fleet's nodes, or a runtime pulling
// several images with a layer in common). Each passed its own check at the upstream first
// (the mirror's HEAD with its own headers), so none gets a blob it may not have; one that
// finds the shared fetch failed before it got a byte starts a fetch of its own.
//
// Threads: each fetch polls its job on a thread of its own (joined by the destructor, which
// cancels what still runs), 32 at most; open and BlobStream::wait block their caller (the
// mirror's pool).
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "swarmcopy/engine/service.h"
#include "swarmcopy/registry/blob_source.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::daemon {

class RegistryBlobs : public registry::BlobSource {
 public:
  // Creates `dir` (0700) and removes blob files a previous run left there.
  static api::Result<std::shared_ptr<RegistryBlobs>> open(std::shared_ptr<engine::Service> service,
                                                          std::filesystem::path dir);
  ~RegistryBlobs() override;

  std::expected<std::shared_ptr<registry::BlobStream>, std::string> open(
      const registry::BlobFetch& blob, const std::atomic<bool>& stopping) override;

  // One fetch of a digest, shared by the streams of it.
  struct Fetch {
    std::mutex mutex;
    std::condition_variable changed;
    registry::BlobProgress progress;  // guarded by mutex
    util::UniqueFd fd;                // the file, once it exists; guarded by mutex
    bool done() const { return progress.verified || progress.error.has_value(); }
  };

 private:
  RegistryBlobs(std::shared_ptr<engine::Service> service, std::filesystem::path dir);
  // The fetch of `blob` under way, or a new one; null when kMaxFetches already run.
  std::shared_ptr<Fetch> start(const registry::BlobFetch& blob);
  // The job's life, on its own thread: create, poll, complete (or cancel), unlink.
  void fetch_job(const registry::BlobFetch& blob, const std::shared_ptr<Fetch>& fetch);

  std::shared_ptr<engine::Service> service_;
  std::filesystem::path dir_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Fetch>> fetching_;  // by SHA-256; guarded by mutex_
  struct Worker {
    std::shared_ptr<std::atomic<bool>> finished;
    std::jthread thread;
  };
  std::vector<Worker> workers_;  // guarded by mutex_
};

}  // namespace swarmcopy::daemon
