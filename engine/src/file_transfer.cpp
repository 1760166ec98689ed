#include "file_transfer.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <limits>

#include "content_identity.h"
#include "file_ops.h"
#include "fs_credentials.h"
#include "swarmcopy/api/credentials.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/util/sha256.h"

namespace swarmcopy::engine {
namespace {

constexpr std::uint64_t kMinChunkBytes = 1ull << 20;
// A request that moved at least this much before failing earns its connection fresh retries.
constexpr std::uint64_t kRetryCreditBytes = 1ull << 20;
constexpr std::uint32_t kMaxQuickRetries = 5;

// Verified content only goes in: kept for the next download of the same bytes, by `uid`, and by
// other users too when `shared` (fetched without credentials). The cache is an optimisation, so
// a failure to keep it is logged, not reported.
void keep_in_cache(cache::ContentStore& cache, TempFile& temp, const std::string& sha256,
                   std::uint32_t uid, bool shared) {
  const auto key = cache::ContentStore::sha256_key(sha256);
  auto size = temp.size();
  auto kept =
      size ? cache.insert(key, temp.fd(), *size) : api::Result<void>(std::unexpected(size.error()));
  if (kept) kept = cache.grant(key, uid, shared);
  if (!kept) spdlog::warn("cannot keep {} in the cache: {}", temp.path(), kept.error().describe());
}

}  // namespace

FileTransfer::FileTransfer(Deps deps, FileRecord file, Settings settings, Hooks hooks)
    : deps_(deps),
      file_(std::move(file)),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)) {
  // What an earlier run verified counts from the start, not only once the origin answers.
  written_ = file_.verified;
}

FileTransfer::~FileTransfer() {
  *alive_ = false;
  cancel_requests();
}

void FileTransfer::start() {
  if (file_.completed) {
    end();
    boost::asio::post(deps_.io, [done = hooks_.done] { done({}); });
    return;
  }
  switch (file_.mode) {
    case api::DownloadMode::kBypass:
      start_http("mode bypass");
      return;
    case api::DownloadMode::kHttpOnly:
      start_http("mode http-only");
      return;
    case api::DownloadMode::kLan:
      if (private_content()) {
        start_http(
            "the job sends credentials (URL userinfo, a secret query parameter or an access "
            "header): private content is never peered");
        return;
      }
      if (deps_.cache == nullptr || !deps_.swarm_hub) {
        start_http("the content cache is disabled (the swarm keeps its data there)");
        return;
      }
      start_metadata();
      return;
  }
}

// The file over HTTP alone (from the cache when its SHA-256 is there, except in bypass mode).
void FileTransfer::start_http(std::optional<std::string> peers_unused_reason) {
  file_.peers_unused_reason = std::move(peers_unused_reason);
  if (file_.sha256 && deps_.cache != nullptr && file_.mode != api::DownloadMode::kBypass) {
    start_from_cache();
    return;
  }
  start_from_origin();
}

void FileTransfer::start_metadata() {
  const auto url = file_.metadata_url.value_or(swarm::default_metadata_url(file_.url));
  metadata_ = std::make_unique<swarm::MetadataFetch>(
      deps_.http, url, file_.metadata_url.has_value(), settings_.request_options(),
      [this](auto result) { on_metadata(std::move(result)); });
}

void FileTransfer::on_metadata(std::expected<swarm::MetadataResult, origin::FetchError> result) {
  // Destroyed later: this runs inside its callback.
  boost::asio::post(deps_.io,
                    [fetch = std::shared_ptr<swarm::MetadataFetch>(std::move(metadata_))] {});
  if (!result) {
    fail(std::move(result.error()));
    return;
  }
  if (result->absent_reason) {
    spdlog::info("{}: {}; HTTP only", file_.url, *result->absent_reason);
    start_http(result->absent_reason);
    return;
  }
  auto hub = deps_.swarm_hub();
  if (!hub) {
    spdlog::warn("{}: peers unavailable: {}", file_.url, hub.error().describe());
    start_http("peer session unavailable: " + hub.error().message);
    return;
  }
  // From here the swarm has the file; its hooks are ours, unless it gives the file back.
  swarm_ = std::make_unique<swarm::SwarmTransfer>(
      swarm::SwarmTransfer::Deps{deps_.io, deps_.pool, deps_.http, deps_.options, **hub}, file_,
      std::move(*result->meta), settings_, hooks_, [this, alive = alive_](std::string reason) {
        if (*alive) on_swarm_fell_back(std::move(reason));
      });
  swarm_->start();
}

// Neither the origin (it ignores Range requests) nor any peer could serve pieces, but the
// origin can still send the whole file in one stream: the HTTP-only path takes over, with the
// swarm's view of the file (identity, peers seen) and its metadata for the final check.
void FileTransfer::on_swarm_fell_back(std::string reason) {
  file_ = swarm_->file();
  file_.verified.clear();  // the swarm's ranges are of its cache item, not of our temporary file
  written_.clear();
  expected_pieces_ = swarm_->metadata();
  swarm_.reset();  // ended already; posted here, so none of its code is running
  start_http(std::move(reason));
}

void FileTransfer::start_from_origin() {
  written_ = file_.verified;
  probe_id_ = deps_.http.probe(file_.url, settings_.request_options(), [this](auto result) {
    probe_id_.reset();
    on_probe(std::move(result));
  });
}

bool FileTransfer::private_content() const {
  return api::sends_credentials(file_.url, settings_.http_headers);
}

// A file whose SHA-256 the caller gave may already be in the cache, from any URL. The user who
// fetched it gets it without asking the origin. Another user gets shared content only once the
// origin, asked with this job's own URL and headers, answers for a file of the same size (the
// probe comes first anyway), and never content fetched with credentials.
void FileTransfer::start_from_cache() {
  const auto key = cache::ContentStore::sha256_key(*file_.sha256);
  boost::asio::post(deps_.pool, [this, key, cache = deps_.cache, uid = settings_.owner_uid,
                                 alive = alive_, &io = deps_.io] {
    auto access = cache->access(key, uid);
    std::shared_ptr<cache::Pin> pin;
    if (access &&
        (*access == cache::CacheAccess::kGranted || *access == cache::CacheAccess::kAskOrigin)) {
      auto found = cache->acquire(key);
      if (!found) {
        spdlog::warn("cache lookup failed: {}", found.error().describe());
      } else if (*found) {
        pin = std::make_shared<cache::Pin>(std::move(**found));
      }
    } else if (!access) {
      spdlog::warn("cache lookup failed: {}", access.error().describe());
    }
    const bool confirm = access && *access == cache::CacheAccess::kAskOrigin;
    boost::asio::post(io, [this, alive, pin, confirm] {
      if (!*alive) return;
      if (pin && confirm) {
        cache_candidate_ = pin;  // on_probe decides
        start_from_origin();
        return;
      }
      on_cache_lookup(pin, false);
    });
  });
}

void FileTransfer::on_cache_lookup(std::shared_ptr<cache::Pin> pin, bool confirmed) {
  if (!pin) {
    start_from_origin();
    return;
  }
  if (auto opened = open_temp(); !opened) {
    fail_local(opened.error(), false);
    return;
  }
  hooks_.data_flowing();
  boost::asio::post(deps_.pool, [this, pin, temp = temp_, cache = deps_.cache, confirmed,
                                 uid = settings_.owner_uid, alive = alive_, &io = deps_.io] {
    // The origin vouched for this user: no need to ask it next time.
    if (confirmed) (void)cache->grant(pin->key(), uid, false);
    auto copied = cache->copy_to(*pin, temp->fd());
    if (copied) copied = temp->sync();
    const auto size = pin->size();
    boost::asio::post(io, [this, alive, copied, size] {
      if (*alive) on_cache_copied(copied, size);
    });
  });
}

void FileTransfer::on_cache_copied(api::Result<void> copied, std::uint64_t size) {
  if (!copied) {
    // The cache is an optimisation: when it fails, the origin still has the file.
    spdlog::warn("copy from the cache failed ({}); fetching {} from the origin",
                 copied.error().describe(), file_.url);
    if (temp_) (void)temp_->truncate(0);
    start_from_origin();
    return;
  }
  file_.size = size;
  file_.verified = RangeSet({ByteRange{0, size}});
  file_.from_cache += size;
  file_.completed = true;
  hooks_.persist(file_);
  end();
  boost::asio::post(deps_.io, [done = hooks_.done] { done({}); });
}

api::Result<void> FileTransfer::open_temp() {
  // Created as the job's owner: where the owner may, and owned by the owner.
  ScopedFsCredentials as_owner(settings_.owner_uid, settings_.owner_gid);
  auto temp = TempFile::open(file_.temp_path, settings_.file_mode);
  if (!temp) return std::unexpected(temp.error());
  temp_ = std::move(*temp);
  if (!file_.verified.empty()) {
    // Verified ranges were synced before they were committed; a temporary file that is now
    // shorter was truncated or replaced behind our back, so its data is not trusted.
    auto size = temp_->size();
    if (!size || *size < file_.verified.ranges().back().end) {
      spdlog::warn("temporary file {} lost data; downloading the file again", file_.temp_path);
      reset_progress();
      hooks_.persist(file_);
    }
  }
  return {};
}

// The origin's file is not the one we were fetching any more: nothing mixed, the old bytes are
// thrown away, and a later resume starts afresh with the new identity.
void FileTransfer::forget_content() {
  reset_progress();
  engine::forget_content(file_);
  hooks_.persist(file_);
}

void FileTransfer::on_probe(std::expected<origin::RemoteIdentity, origin::FetchError> result) {
  if (!result) {
    fail(std::move(result.error()));
    return;
  }
  const auto& identity = *result;
  if (auto change = identity_change(file_, identity, true)) {
    forget_content();
    fail(content_changed(file_, *change));
    return;
  }
  file_.size = identity.size;
  file_.etag = identity.etag;
  file_.last_modified = identity.last_modified;
  file_.accepts_ranges = identity.accepts_ranges;
  hooks_.persist(file_);
  if (auto candidate = std::exchange(cache_candidate_, nullptr)) {
    // Another user's content with this file's SHA-256: the origin, asked as this job asks, serves
    // a file of that size, so this user may have it.
    if (identity.size && *identity.size == candidate->size()) {
      on_cache_lookup(std::move(candidate), true);
      return;
    }
  }
  // The temporary file is made only once the origin has answered, so that a bad URL leaves
  // nothing behind in the destination's directory.
  if (auto opened = open_temp(); !opened) {
    fail_local(opened.error(), false);
    return;
  }

  if (file_.size && *file_.size == 0) {
    on_all_written();
    return;
  }
  if (!identity.accepts_ranges || !file_.size) {
    start_whole_body();
    return;
  }
  if (auto reserved = temp_->reserve(*file_.size); !reserved) {
    fail_local(reserved.error(), reserved.error().kind == api::ErrorKind::kDiskFull);
    return;
  }
  plan_ranges();
  if (pending_.empty()) {
    on_all_written();
    return;
  }
  fill_connections();
}

std::uint32_t FileTransfer::connection_count() const {
  // A rate cap is easiest to keep exactly on one connection.
  if (settings_.max_bytes_per_second > 0) return 1;
  return std::max<std::uint32_t>(1, deps_.options.connections_per_file);
}

void FileTransfer::plan_ranges() {
  pending_.clear();
  const auto gaps = written_.gaps(*file_.size);
  std::uint64_t remaining = 0;
  for (const auto& gap : gaps) remaining += gap.size();
  const std::uint64_t chunk =
      std::clamp<std::uint64_t>(remaining / connection_count(), kMinChunkBytes,
                                std::max(kMinChunkBytes, deps_.options.segment_bytes));
  for (const auto& gap : gaps) {
    for (std::uint64_t begin = gap.begin; begin < gap.end; begin += chunk) {
      pending_.push_back(ByteRange{begin, std::min(gap.end, begin + chunk)});
    }
  }
}

void FileTransfer::start_whole_body() {
  // The origin cannot serve ranges: one stream from byte 0, so nothing earlier is reusable.
  cancel_requests();
  whole_body_ = true;
  reset_progress();
  file_.accepts_ranges = false;
  if (temp_) (void)temp_->truncate(0);
  hooks_.persist(file_);
  launch(ByteRange{0, file_.size.value_or(std::numeric_limits<std::uint64_t>::max())}, 0);
}

void FileTransfer::fill_connections() {
  while (active_.size() < connection_count() && !pending_.empty()) {
    const auto range = pending_.front();
    pending_.pop_front();
    launch(range, 0);
  }
}

origin::RangeRequest FileTransfer::request_for(ByteRange range, bool whole_body) const {
  origin::RangeRequest request;
  request.url = file_.url;
  request.begin = range.begin;
  request.end = range.end;
  request.whole_body = whole_body;
  request.expected.size = file_.size;
  request.expected.etag = file_.etag;
  request.expected.last_modified = file_.last_modified;
  request.expected.accepts_ranges = file_.accepts_ranges;
  request.options = settings_.request_options();
  return request;
}

void FileTransfer::launch(ByteRange range, std::uint32_t quick_retries) {
  const std::uint64_t key = next_key_++;
  active_[key] = Connection{0, range, range.begin, quick_retries};
  const auto id = deps_.http.fetch(
      request_for(range, whole_body_),
      [this, key](std::uint64_t offset, std::span<const char> bytes) {
        return on_data(key, offset, bytes);
      },
      [this, key](auto result) { on_fetch_done(key, std::move(result)); });
  // The request may already have finished (and been erased) if the client answered inline.
  if (auto it = active_.find(key); it != active_.end()) it->second.request = id;
}

api::Result<void> FileTransfer::on_data(std::uint64_t key, std::uint64_t offset,
                                        std::span<const char> bytes) {
  auto it = active_.find(key);
  if (it == active_.end()) {
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal,
                     "data for a finished request");
  }
  if (auto written = temp_->write_at(offset, bytes); !written) return written;
  const std::uint64_t end = offset + bytes.size();
  written_.add(ByteRange{offset, end});
  it->second.cursor = end;
  file_.from_origin += bytes.size();
  if (!flowing_) {
    flowing_ = true;
    hooks_.data_flowing();
  }
  maybe_checkpoint();
  return {};
}

void FileTransfer::on_fetch_done(std::uint64_t key,
                                 std::expected<void, origin::FetchError> result) {
  auto node = active_.extract(key);
  if (node.empty() || finished_) return;
  const Connection connection = node.mapped();
  if (result) {
    if (whole_body_ && !file_.size) file_.size = written_.total();
    fill_connections();
    if (active_.empty() && pending_.empty()) on_all_written();
    return;
  }
  auto error = std::move(result.error());
  if (error.error.kind == api::ErrorKind::kRangeNotSupported && !whole_body_) {
    spdlog::info("{} ignores Range requests; downloading it in one stream", file_.url);
    start_whole_body();
    return;
  }
  if (error.error.kind == api::ErrorKind::kDiskFull) error.transient = true;
  if (error.error.kind == api::ErrorKind::kContentChanged) forget_content();
  const std::uint64_t moved = connection.cursor - connection.range.begin;
  const std::uint32_t retries = moved >= kRetryCreditBytes ? 0 : connection.quick_retries + 1;
  if (error.transient && moved > 0 && !whole_body_ && retries <= kMaxQuickRetries) {
    // The connection broke after making progress: ask again for the rest at once.
    spdlog::debug("{}: {}; re-requesting bytes {}-{}", file_.url, error.error.message,
                  connection.cursor, connection.range.end);
    launch(ByteRange{connection.cursor, connection.range.end}, retries);
    return;
  }
  fail(std::move(error));
}

void FileTransfer::maybe_checkpoint() {
  const auto now = std::chrono::steady_clock::now();
  if (sync_in_flight_ || now - last_checkpoint_ < deps_.options.checkpoint_interval) return;
  if (written_ == file_.verified) return;
  sync_in_flight_ = true;
  last_checkpoint_ = now;
  boost::asio::post(deps_.pool, [this, temp = temp_, alive = alive_, snapshot = written_,
                                 generation = generation_, &io = deps_.io] {
    auto synced = temp->sync();
    boost::asio::post(io, [this, alive, snapshot, generation, synced] {
      if (!*alive) return;
      sync_in_flight_ = false;
      if (!synced) {
        fail_local(synced.error(), false);
        return;
      }
      if (generation != generation_) return;  // progress was reset meanwhile
      file_.verified = snapshot;
      hooks_.persist(file_);
    });
  });
}

void FileTransfer::on_all_written() {
  if (file_.size && *file_.size > 0 && !written_.contains(ByteRange{0, *file_.size})) {
    fail(origin::FetchError{
        api::Error{api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal, 0,
                   "transfer ended with bytes missing", file_.url, origin::protocol_of(file_.url)},
        true,
        {}});
    return;
  }
  const std::uint64_t size = file_.size.value_or(written_.total());
  file_.size = size;
  if (auto truncated = temp_->truncate(size); !truncated) {
    fail_local(truncated.error(), false);
    return;
  }
  // The last sync (and the hash, if the caller gave one, and the piece check, if the file has
  // metadata) run on the pool.
  boost::asio::post(deps_.pool, [this, temp = temp_, alive = alive_, expected = file_.sha256,
                                 pieces = expected_pieces_, cache = deps_.cache, &io = deps_.io,
                                 bypass = file_.mode == api::DownloadMode::kBypass,
                                 uid = settings_.owner_uid, shared = !private_content()] {
    auto synced = temp->sync();
    std::optional<api::Result<std::string>> hash;
    if (synced && expected) hash = util::sha256_of_fd(temp->fd(), temp->path());
    const bool matches_metadata = !synced || !pieces || peer::verify_fd(*pieces, temp->fd());
    if (matches_metadata && hash && *hash && **hash == *expected && cache != nullptr && !bypass)
      keep_in_cache(*cache, *temp, **hash, uid, shared);
    boost::asio::post(io, [this, alive, synced, hash, matches_metadata] {
      if (*alive) on_final_sync(synced, hash, matches_metadata);
    });
  });
}

void FileTransfer::on_final_sync(api::Result<void> synced,
                                 std::optional<api::Result<std::string>> hash,
                                 bool matches_metadata) {
  if (!synced) {
    fail_local(synced.error(), false);
    return;
  }
  if (hash && !*hash) {
    fail_local(hash->error(), false);
    return;
  }
  if (hash && **hash != *file_.sha256) {
    reject_content("SHA-256 mismatch: expected " + *file_.sha256 + ", got " + **hash);
    return;
  }
  if (!matches_metadata) {
    reject_content("the file the origin sent does not match its metadata (a piece hash differs)");
    return;
  }
  file_.verified = RangeSet({ByteRange{0, *file_.size}});
  file_.completed = true;
  hooks_.persist(file_);
  end();
  boost::asio::post(deps_.io, [done = hooks_.done] { done({}); });
}

// Bytes that fail their check never reach the destination: the temporary file goes, and the
// next run starts from zero.
void FileTransfer::reject_content(const std::string& message) {
  reset_progress();
  temp_.reset();
  {
    ScopedFsCredentials as_owner(settings_.owner_uid, settings_.owner_gid);
    (void)remove_file(file_.temp_path);
  }
  hooks_.persist(file_);
  fail(origin::FetchError{
      api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kChecksumMismatch, 0, message,
                 file_.url, origin::protocol_of(file_.url)},
      false,
      {}});
}

void FileTransfer::fail_local(const api::Error& error, bool transient) {
  fail(origin::FetchError{error, transient, {}});
}

void FileTransfer::fail(origin::FetchError error) {
  if (finished_) return;
  cancel_requests();
  sync_written();
  end();
  boost::asio::post(
      deps_.io, [done = hooks_.done, error = std::move(error)] { done(std::unexpected(error)); });
}

void FileTransfer::stop() {
  if (swarm_) {
    swarm_->stop();
    end();
    return;
  }
  if (finished_) return;
  cancel_requests();
  sync_written();
  end();
}

void FileTransfer::end() {
  finished_ = true;
  *alive_ = false;
}

void FileTransfer::sync_written() {
  if (!temp_ || written_ == file_.verified) return;
  if (auto synced = temp_->sync(); synced) {
    file_.verified = written_;
    hooks_.persist(file_);
  } else {
    spdlog::warn("cannot sync {}: {}; its unsynced bytes will be fetched again", file_.temp_path,
                 synced.error().message);
  }
}

void FileTransfer::cancel_requests() {
  if (metadata_) metadata_->cancel();
  if (probe_id_) deps_.http.cancel(*probe_id_);
  probe_id_.reset();
  for (const auto& [key, connection] : active_) deps_.http.cancel(connection.request);
  active_.clear();
  pending_.clear();
}

void FileTransfer::reset_progress() {
  written_.clear();
  file_.verified.clear();
  pending_.clear();
  ++generation_;
}

}  // namespace swarmcopy::engine
