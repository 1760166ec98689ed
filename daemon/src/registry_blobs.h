// RegistryBlobs: the registry mirror's BlobSource over the daemon's engine. Each blob is a
// HIGH-priority job of the daemon's own user (peers first: see fetch) with one file: the upstream's
// blob URL, the digest's SHA-256 as the expected hash (the content's identity: peers that hold
// it serve it, "content nobody published"), destination a name of ours in
// STATE_DIR/registry-mirror/ (never one made from the request). Once TRANSFERRED the file is
// opened, the job acknowledged and the name unlinked: the open descriptor is what the client
// is sent, and the verified content stays in the cache for peers for the seed time.
//
// The client's Authorization header goes with the origin request: the engine then treats the
// content as private (never peered, never seeded, never served to another user from the
// cache), so an authenticated registry's blobs go origin → this machine only.
//
// Clients pulling one blob at once share one job: the first request's fetch is the only one,
// and the others wait for it and get a descriptor of the same verified file (a fleet's nodes,
// or a runtime pulling several images with a common layer). Each of them passed its own
// check at the upstream first (the mirror's HEAD with its own headers), so none gets a blob it
// may not have; one that the shared fetch failed for fetches on its own.
//
// Thread-safe: fetch blocks its caller (the mirror's pool) polling the job.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "swarmcopy/engine/service.h"
#include "swarmcopy/registry/blob_source.h"

namespace swarmcopy::daemon {

class RegistryBlobs : public registry::BlobSource {
 public:
  // Creates `dir` (0700) and removes blob files a previous run left there.
  static api::Result<std::shared_ptr<RegistryBlobs>> open(std::shared_ptr<engine::Service> service,
                                                          std::filesystem::path dir);

  std::expected<registry::BlobFile, std::string> fetch(const registry::BlobFetch& blob,
                                                       const std::atomic<bool>& stopping) override;

 private:
  // One fetch of a digest that requests of it share.
  struct Shared {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::expected<registry::BlobFile, std::string> result = std::unexpected(std::string());
  };

  RegistryBlobs(std::shared_ptr<engine::Service> service, std::filesystem::path dir);
  // The fetch itself: one job, its file opened once it is verified.
  std::expected<registry::BlobFile, std::string> fetch_alone(const registry::BlobFetch& blob,
                                                             const std::atomic<bool>& stopping);
  // Waits for `shared` and gives a descriptor of its own; nullopt: the shared fetch failed.
  static std::optional<std::expected<registry::BlobFile, std::string>> join(
      Shared& shared, const std::atomic<bool>& stopping);

  std::shared_ptr<engine::Service> service_;
  std::filesystem::path dir_;
  std::atomic<std::uint64_t> next_{0};
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Shared>> fetching_;  // by SHA-256; guarded by mutex_
};

}  // namespace swarmcopy::daemon
