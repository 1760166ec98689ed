// BlobSource: where the mirror gets a blob whose SHA-256 digest it knows: swarmcopyd's engine
// (the daemon's registry_blobs.cpp), through the swarm with the digest as the content's
// identity. The mirror calls fetch on its own small pool of threads (a fetch blocks until the
// blob is verified, which may take minutes); implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::registry {

struct BlobFetch {
  std::string url;         // the blob at the upstream: http://host/v2/<name>/blobs/sha256:<hex>
  std::string sha256;      // 64 lowercase hex digits: the content's identity
  std::string repository;  // for names and logs only
  // Headers the client sent that the origin request must carry ("Authorization: Bearer ...").
  // Any of them makes the content private to this fetch: the engine never peers it.
  std::vector<std::string> headers;
};

struct BlobFile {
  util::UniqueFd fd;  // open for reading at offset 0; the verified blob, nothing else
  std::uint64_t size = 0;
};

class BlobSource {
 public:
  virtual ~BlobSource() = default;
  // Blocks until the blob is verified (its SHA-256 checked) or fails; gives up soon after
  // `stopping` turns true. The error is a sentence for the log and the client's 502.
  virtual std::expected<BlobFile, std::string> fetch(const BlobFetch& blob,
                                                     const std::atomic<bool>& stopping) = 0;
};

}  // namespace swarmcopy::registry
