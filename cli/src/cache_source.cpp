#include "cache_source.h"

#include <utility>

#include "swarmcopy/client/daemon_cache.h"

namespace swarmcopy::cli {
namespace {

class LocalCacheSource final : public CacheSource {
 public:
  explicit LocalCacheSource(std::unique_ptr<engine::CacheAdmin> admin) : admin_(std::move(admin)) {}

  api::Result<std::vector<cache::CachedItem>> items() override { return store().list(); }
  api::Result<cache::CacheStats> stats() override { return store().stats(); }
  api::Result<CacheCleanup> prune() override { return cleanup(store().prune()); }
  api::Result<CacheCleanup> clear() override { return cleanup(store().clear()); }

 private:
  cache::ContentStore& store() { return admin_->store(); }

  api::Result<CacheCleanup> cleanup(api::Result<std::uint64_t> freed) {
    if (!freed) return std::unexpected(freed.error());
    return CacheCleanup{*freed, store().stats()};
  }

  std::unique_ptr<engine::CacheAdmin> admin_;
};

cache::CacheStats to_cache_stats(const client::DaemonCacheStats& stats) {
  cache::CacheStats out;
  out.items = stats.items;
  out.bytes = stats.bytes;
  out.max_bytes = stats.max_bytes;
  out.pinned_items = stats.pinned_items;
  out.hits = stats.hits;
  out.misses = stats.misses;
  return out;
}

api::Result<CacheCleanup> to_cleanup(api::Result<client::DaemonCacheCleanup> cleanup) {
  if (!cleanup) return std::unexpected(cleanup.error());
  return CacheCleanup{cleanup->freed_bytes, to_cache_stats(cleanup->stats)};
}

class DaemonCacheSource final : public CacheSource {
 public:
  explicit DaemonCacheSource(std::filesystem::path socket) : socket_(std::move(socket)) {}

  api::Result<std::vector<cache::CachedItem>> items() override {
    auto items = client::daemon_cache_items(socket_);
    if (!items) return std::unexpected(items.error());
    std::vector<cache::CachedItem> out;
    out.reserve(items->size());
    for (const auto& item : *items) {
      // Who may use an item is the daemon's to decide; it lists only what this caller may see.
      out.push_back(cache::CachedItem{item.key,
                                      item.bytes,
                                      item.added,
                                      item.last_used,
                                      item.pins,
                                      item.verified,
                                      item.partial,
                                      {},
                                      false});
    }
    return out;
  }

  api::Result<cache::CacheStats> stats() override {
    auto stats = client::daemon_cache_stats(socket_);
    if (!stats) return std::unexpected(stats.error());
    return to_cache_stats(*stats);
  }

  api::Result<CacheCleanup> prune() override {
    return to_cleanup(client::prune_daemon_cache(socket_));
  }
  api::Result<CacheCleanup> clear() override {
    return to_cleanup(client::clear_daemon_cache(socket_));
  }

 private:
  std::filesystem::path socket_;
};

}  // namespace

std::unique_ptr<CacheSource> local_cache_source(std::unique_ptr<engine::CacheAdmin> admin) {
  return std::make_unique<LocalCacheSource>(std::move(admin));
}

std::unique_ptr<CacheSource> daemon_cache_source(std::filesystem::path socket) {
  return std::make_unique<DaemonCacheSource>(std::move(socket));
}

}  // namespace swarmcopy::cli
