// FileTransfer: downloads one file of a running job from its HTTP origin into the file's
// temporary file. It learns (or re-checks) the origin's identity of the file, fetches the
// bytes not yet verified over a few parallel range requests, writes them in place, syncs and
// reports progress at checkpoints, checks the expected SHA-256, and reports the outcome once.
//
// In lan mode, a file whose metadata the origin publishes goes to a SwarmTransfer instead. When
// the swarm gives it back (the origin ignores Range requests and no peer has pieces to give), it
// comes over HTTP here after all, and the whole file is checked against the metadata's piece
// hashes before it counts as transferred.
//
// It works on its own copy of the FileRecord and hands every durable change to the `persist`
// hook (the engine writes it to the job store), so nothing it reports as verified was not
// fdatasync'ed first. Engine thread only; blocking work (fsync, hashing) goes to the pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "job_record.h"
#include "range_set.h"
#include "swarm/metadata_fetch.h"
#include "swarm/swarm_hub.h"
#include "swarm/swarm_transfer.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/engine/engine_options.h"
#include "swarmcopy/origin/http_client.h"
#include "temp_file.h"
#include "transfer_hooks.h"

namespace swarmcopy::engine {

class FileTransfer {
 public:
  struct Deps {
    boost::asio::io_context& io;
    boost::asio::thread_pool& pool;
    origin::HttpClient& http;
    const EngineOptions& options;
    cache::ContentStore* cache = nullptr;  // null: no cache
    // The engine's swarm, opened on first use; an error: peers cannot be used.
    std::function<api::Result<swarm::SwarmHub*>()> swarm_hub;
  };
  using Hooks = TransferHooks;
  using Settings = TransferSettings;

  FileTransfer(Deps deps, FileRecord file, Settings settings, Hooks hooks);
  ~FileTransfer();
  FileTransfer(const FileTransfer&) = delete;
  FileTransfer& operator=(const FileTransfer&) = delete;

  void start();
  // Aborts every request, then syncs and persists what was written (blocking, on the calling
  // thread: a suspend must keep every byte it can). No hook runs after stop() returns.
  void stop();

  // The live view: identity, counters, and bytes written so far (synced or not).
  const FileRecord& file() const { return swarm_ ? swarm_->file() : file_; }
  std::uint64_t bytes_written() const {
    return swarm_ ? swarm_->bytes_written() : written_.total();
  }
  std::uint32_t peers_connected() const { return swarm_ ? swarm_->peers_connected() : 0; }

 private:
  struct Connection {
    origin::HttpClient::RequestId request = 0;
    ByteRange range;           // what this request asked for
    std::uint64_t cursor = 0;  // next expected offset
    std::uint32_t quick_retries = 0;
  };

  void start_http(std::optional<std::string> peers_unused_reason);
  void start_metadata();
  void on_metadata(std::expected<swarm::MetadataResult, origin::FetchError> result);
  void on_swarm_fell_back(std::string reason);
  void start_from_origin();
  void start_from_cache();
  // `confirmed`: another user's shared item that this job's origin vouched for.
  void on_cache_lookup(std::shared_ptr<cache::Pin> pin, bool confirmed);
  // Fetched with credentials: never peered, never given to another user from the cache.
  bool private_content() const;
  void on_cache_copied(api::Result<void> copied, std::uint64_t size);
  api::Result<void> open_temp();
  void forget_content();
  void on_probe(std::expected<origin::RemoteIdentity, origin::FetchError> result);
  void plan_ranges();
  void start_whole_body();
  void fill_connections();
  void launch(ByteRange range, std::uint32_t quick_retries);
  api::Result<void> on_data(std::uint64_t key, std::uint64_t offset, std::span<const char> bytes);
  void on_fetch_done(std::uint64_t key, std::expected<void, origin::FetchError> result);
  void maybe_checkpoint();
  void on_all_written();
  void on_final_sync(api::Result<void> synced, std::optional<api::Result<std::string>> hash,
                     bool matches_metadata);
  void reject_content(const std::string& message);
  void fail(origin::FetchError error);
  void fail_local(const api::Error& error, bool transient);
  void cancel_requests();
  void reset_progress();
  void sync_written();
  void end();
  origin::RangeRequest request_for(ByteRange range, bool whole_body) const;
  std::uint32_t connection_count() const;

  Deps deps_;
  FileRecord file_;
  Settings settings_;
  Hooks hooks_;
  std::shared_ptr<TempFile> temp_;
  std::unique_ptr<swarm::MetadataFetch> metadata_;
  std::unique_ptr<swarm::SwarmTransfer> swarm_;  // set: the swarm has the file
  // Set when a file with metadata comes over HTTP alone: no piece of it was checked on the way,
  // so the whole file is checked against these piece hashes before it counts.
  std::shared_ptr<const peer::Metainfo> expected_pieces_;
  // Another user's cached copy of this file, held until the origin's probe confirms it.
  std::shared_ptr<cache::Pin> cache_candidate_;
  RangeSet written_;  // on disk, maybe not synced yet
  std::deque<ByteRange> pending_;
  std::map<std::uint64_t, Connection> active_;  // by our own key, known before fetch() returns
  std::uint64_t next_key_ = 1;
  std::uint64_t generation_ = 0;  // bumped when progress is thrown away
  std::optional<origin::HttpClient::RequestId> probe_id_;
  bool whole_body_ = false;
  bool flowing_ = false;
  bool finished_ = false;  // done hook called or stop() ran
  bool sync_in_flight_ = false;
  std::chrono::steady_clock::time_point last_checkpoint_{};
  // Cleared when the transfer ends, so that results from the pool arriving later are dropped.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine
