// BlobSource: where the mirror gets a blob whose SHA-256 digest it knows: swarmcopyd's engine
// (the daemon's registry_blobs.cpp), through the swarm with the digest as the content's
// identity. A blob is streamed: the mirror sends bytes to its client as they arrive, not once
// the whole layer is verified (a puller should not wait for the last byte to get the first).
// The mirror calls open and BlobStream::wait on its own small pool of threads (both block);
// implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace swarmcopy::registry {

struct BlobFetch {
  std::string url;         // the blob at the upstream: http://host/v2/<name>/blobs/sha256:<hex>
  std::string sha256;      // 64 lowercase hex digits: the content's identity
  std::string repository;  // for names and logs only
  // Headers the client sent that the origin request must carry ("Authorization: Bearer ...").
  // Any of them makes the content private to this fetch: the engine never peers it.
  std::vector<std::string> headers;
};

// How far a blob's fetch is.
struct BlobProgress {
  std::uint64_t size = 0;
  // Bytes [0, ready) are in the file (BlobStream::fd) and stay as they are, unless the fetch
  // fails: a fetch that had to start over fails (those bytes may not be the blob's).
  std::uint64_t ready = 0;
  bool verified = false;             // ready == size and the SHA-256 matched
  std::optional<std::string> error;  // failed: no more bytes come; a sentence for log and client
};

// One client's view of a blob being fetched (several may share one fetch).
class BlobStream {
 public:
  virtual ~BlobStream() = default;
  // Open for reading with pread; the bytes BlobProgress::ready says are there.
  virtual int fd() const = 0;
  // The fetch as it stands now (does not block).
  virtual BlobProgress progress() const = 0;
  // Blocks until the fetch moved beyond `ready` bytes, was verified or failed, or soon after
  // `stopping` turns true (then an error).
  virtual BlobProgress wait(std::uint64_t ready, const std::atomic<bool>& stopping) = 0;
};

class BlobSource {
 public:
  virtual ~BlobSource() = default;
  // Starts the fetch (or joins the one under way) and returns once the blob's size is known
  // and its file can be read, or the fetch failed. The error is a sentence for the log and the
  // client's 502.
  virtual std::expected<std::shared_ptr<BlobStream>, std::string> open(
      const BlobFetch& blob, const std::atomic<bool>& stopping) = 0;
};

}  // namespace swarmcopy::registry
