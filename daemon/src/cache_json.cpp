#include "cache_json.h"

#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::daemon {

nlohmann::json to_json(const api::CacheItem& item) {
  return {{"key", item.key},
          {"bytes", item.bytes},
          {"added", ipc::time_to_json(item.added)},
          {"last_used", ipc::time_to_json(item.last_used)},
          {"pins", item.pins},
          {"verified", item.verified},
          {"partial", item.partial},
          {"shared", item.shared}};
}

nlohmann::json to_json(const api::CacheStats& stats) {
  return {{"dir", stats.dir.string()},
          {"items", stats.items},
          {"bytes", stats.bytes},
          {"max_bytes", stats.max_bytes},
          {"pinned_items", stats.pinned_items},
          {"hits", stats.hits},
          {"misses", stats.misses}};
}

}  // namespace swarmcopy::daemon
