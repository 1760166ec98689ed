#include "http_transfer.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <limits>

#include "content_identity.h"
#include "file_ops.h"
#include "fs_credentials.h"
#include "received_bytes.h"
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
HttpTransfer::HttpTransfer(Deps deps, FileRecord file, TransferSettings settings,
                           TransferHooks hooks,
                           std::shared_ptr<const peer::Metainfo> expected_pieces)
    : deps_(deps),
      file_(std::move(file)),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)),
      expected_pieces_(std::move(expected_pieces)),
      origin_(deps_.http, file_.url, settings_.request_options()),
      written_(file_.verified) {}

HttpTransfer::~HttpTransfer() {
  *alive_ = false;
  cancel_requests();
}

void HttpTransfer::start() {
  if (file_.sha256 && deps_.cache != nullptr && file_.mode != api::DownloadMode::kBypass) {
    start_from_cache();
    return;
  }
  start_from_origin();
}

void HttpTransfer::start_from_origin() {
  origin_.probe(file_, true, [this](auto result) { on_probe(std::move(result)); });
}

// A file whose SHA-256 the caller gave may already be in the cache, from any URL. The user who
// fetched it gets it without asking the origin. Another user gets shared content only once the
// origin, asked with this job's own URL and headers, answers for a file of the same size (the
// probe comes first anyway), and never content fetched with credentials.
void HttpTransfer::start_from_cache() {
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

void HttpTransfer::on_cache_lookup(std::shared_ptr<cache::Pin> pin, bool confirmed) {
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

void HttpTransfer::on_cache_copied(api::Result<void> copied, std::uint64_t size) {
  if (!copied) {
    // The cache is an optimisation: when it fails, the origin still has the file.
    spdlog::warn("copy from the cache failed ({}); fetching {} from the origin",
                 copied.error().describe(), file_.url);
    if (temp_) (void)temp_->truncate(0);
    start_from_origin();
    return;
  }
  file_.size = size;
  file_.explanation.note("served from the local cache: no byte from the network");
  count_received(file_, ByteRange{0, size}, ByteSource::kCache);
  file_.verified = RangeSet({ByteRange{0, size}});
  file_.completed = true;
  hooks_.persist(file_);
  end();
  boost::asio::post(deps_.io, [done = hooks_.done] { done({}); });
}

api::Result<void> HttpTransfer::open_temp() {
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
void HttpTransfer::forget_content() {
  reset_progress();
  engine::forget_content(file_);
  hooks_.persist(file_);
}

void HttpTransfer::on_probe(std::expected<origin::RemoteIdentity, origin::FetchError> result) {
  if (!result) {
    if (result.error().error.kind == api::ErrorKind::kContentChanged) forget_content();
    fail(std::move(result.error()));
    return;
  }
  const auto& identity = *result;
  learn_identity(file_, identity, true);
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

std::uint32_t HttpTransfer::connection_count() const {
  // A rate cap is easiest to keep exactly on one connection.
  if (settings_.max_bytes_per_second > 0) return 1;
  return std::max<std::uint32_t>(1, deps_.options.connections_per_file);
}

void HttpTransfer::plan_ranges() {
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

void HttpTransfer::start_whole_body() {
  // The origin cannot serve ranges: one stream from byte 0, so nothing earlier is reusable.
  cancel_requests();
  whole_body_ = true;
  reset_progress();
  file_.accepts_ranges = false;
  if (temp_) (void)temp_->truncate(0);
  hooks_.persist(file_);
  launch(ByteRange{0, file_.size.value_or(std::numeric_limits<std::uint64_t>::max())}, 0);
}

void HttpTransfer::fill_connections() {
  while (active_.size() < connection_count() && !pending_.empty()) {
    const auto range = pending_.front();
    pending_.pop_front();
    launch(range, 0);
  }
}

void HttpTransfer::launch(ByteRange range, std::uint32_t quick_retries) {
  file_.explanation.origin_request(
      range.begin, range.end,
      whole_body_         ? "the whole file in one stream: the origin ignores Range requests"
      : quick_retries > 0 ? "the rest again: the connection broke after making progress"
                          : "HTTP alone: " + file_.peers_unused_reason.value_or("no peers asked"));
  const std::uint64_t key = next_key_++;
  active_[key] = Connection{range, range.begin, quick_retries};
  origin_.fetch(
      key, range, whole_body_, file_,
      [this, key](std::uint64_t offset, std::span<const char> bytes) {
        return on_data(key, offset, bytes);
      },
      [this, key](auto result) { on_fetch_done(key, std::move(result)); });
}

api::Result<void> HttpTransfer::on_data(std::uint64_t key, std::uint64_t offset,
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
  // Counted (and persisted at the next checkpoint) as received even before it is synced: after
  // a crash that loses it, its second arrival is then known as refetched.
  count_received(file_, ByteRange{offset, end}, ByteSource::kOrigin);
  if (!flowing_) {
    flowing_ = true;
    hooks_.data_flowing();
  }
  maybe_checkpoint();
  return {};
}

void HttpTransfer::on_fetch_done(std::uint64_t key,
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

void HttpTransfer::maybe_checkpoint() {
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

void HttpTransfer::on_all_written() {
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
  boost::asio::post(
      deps_.pool,
      [this, temp = temp_, alive = alive_, expected = file_.sha256, pieces = expected_pieces_,
       cache = deps_.cache, &io = deps_.io, bypass = file_.mode == api::DownloadMode::kBypass,
       uid = settings_.owner_uid, shared = !settings_.sends_credentials(file_.url)] {
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

void HttpTransfer::on_final_sync(api::Result<void> synced,
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
void HttpTransfer::reject_content(const std::string& message) {
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

void HttpTransfer::fail_local(const api::Error& error, bool transient) {
  fail(origin::FetchError{error, transient, {}});
}

void HttpTransfer::fail(origin::FetchError error) {
  if (finished_) return;
  cancel_requests();
  sync_written();
  end();
  boost::asio::post(
      deps_.io, [done = hooks_.done, error = std::move(error)] { done(std::unexpected(error)); });
}

void HttpTransfer::stop() {
  if (finished_) return;
  cancel_requests();
  sync_written();
  end();
}

void HttpTransfer::end() {
  finished_ = true;
  *alive_ = false;
}

void HttpTransfer::sync_written() {
  if (!temp_ || written_ == file_.verified) return;
  if (auto synced = temp_->sync(); synced) {
    file_.verified = written_;
    hooks_.persist(file_);
  } else {
    spdlog::warn("cannot sync {}: {}; its unsynced bytes will be fetched again", file_.temp_path,
                 synced.error().message);
  }
}

void HttpTransfer::cancel_requests() {
  origin_.cancel_all();
  active_.clear();
  pending_.clear();
}

void HttpTransfer::reset_progress() {
  written_.clear();
  file_.verified.clear();
  pending_.clear();
  ++generation_;
}

}  // namespace swarmcopy::engine
