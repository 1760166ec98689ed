// HttpTransfer: one file over HTTP alone, into the file's temporary file. With the file's
// SHA-256 known it comes from the cache when the cache holds it for this user (bypass mode
// excepted). Otherwise it learns (or re-checks) the origin's identity of the file, fetches the
// bytes not yet verified over a few parallel range requests (one stream from byte 0 when the
// origin ignores Range), writes them in place, syncs and reports progress at checkpoints,
// checks the expected SHA-256 (and the piece hashes of the metadata it was given, when the
// swarm handed the file over), keeps verified content in the cache, and reports the outcome
// once.
//
// It works on its own copy of the FileRecord and hands every durable change to the `persist`
// hook, so nothing it reports as verified was not fdatasync'ed first. Engine thread only;
// blocking work (fsync, hashing, cache copies) goes to the pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <expected>
#include <map>
#include <memory>
#include <string>

#include "job_record.h"
#include "origin_fetcher.h"
#include "range_set.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/engine/engine_options.h"
#include "swarmcopy/origin/http_client.h"
#include "swarmcopy/peer/metainfo.h"
#include "temp_file.h"
#include "transfer_hooks.h"

namespace swarmcopy::engine {

class HttpTransfer {
 public:
  struct Deps {
    boost::asio::io_context& io;
    boost::asio::thread_pool& pool;
    origin::HttpClient& http;
    const EngineOptions& options;
    cache::ContentStore* cache = nullptr;  // null: no cache
  };

  // `expected_pieces`: the metadata of a file that comes over HTTP although it has some (no
  // piece of it was checked on the way, so the whole file is checked before it counts); null
  // for a file without.
  HttpTransfer(Deps deps, FileRecord file, TransferSettings settings, TransferHooks hooks,
               std::shared_ptr<const peer::Metainfo> expected_pieces = nullptr);
  ~HttpTransfer();
  HttpTransfer(const HttpTransfer&) = delete;
  HttpTransfer& operator=(const HttpTransfer&) = delete;

  void start();
  // Aborts every request, then syncs and persists what was written (blocking, on the calling
  // thread: a suspend must keep every byte it can). No hook runs after stop() returns.
  void stop();

  const FileRecord& file() const { return file_; }
  std::uint64_t bytes_written() const { return written_.total(); }

 private:
  struct Connection {
    ByteRange range;           // what this request asked for
    std::uint64_t cursor = 0;  // next expected offset
    std::uint32_t quick_retries = 0;
  };

  void start_from_origin();
  void start_from_cache();
  // `confirmed`: another user's shared item that this job's origin vouched for.
  void on_cache_lookup(std::shared_ptr<cache::Pin> pin, bool confirmed);
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
  std::uint32_t connection_count() const;

  Deps deps_;
  FileRecord file_;
  TransferSettings settings_;
  TransferHooks hooks_;
  std::shared_ptr<const peer::Metainfo> expected_pieces_;
  OriginFetcher origin_;
  std::shared_ptr<TempFile> temp_;
  // Another user's cached copy of this file, held until the origin's probe confirms it.
  std::shared_ptr<cache::Pin> cache_candidate_;
  RangeSet written_;  // on disk, maybe not synced yet
  std::deque<ByteRange> pending_;
  std::map<std::uint64_t, Connection> active_;  // by our own key, known before fetch() returns
  std::uint64_t next_key_ = 1;
  std::uint64_t generation_ = 0;  // bumped when progress is thrown away
  bool whole_body_ = false;
  bool flowing_ = false;
  bool finished_ = false;  // done hook called or stop() ran
  bool sync_in_flight_ = false;
  std::chrono::steady_clock::time_point last_checkpoint_{};
  // Cleared when the transfer ends, so that results from the pool arriving later are dropped.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine
