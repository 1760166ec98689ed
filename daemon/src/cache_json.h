// The wire forms of the cache endpoints (API.md, "CacheItem" and "CacheStats"). Kept here, not
// in ipc/: only swarmcopyd writes them, and the client reads them with its own lenient decoder.
// Pure functions: any thread.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "swarmcopy/cache/content_store.h"

namespace swarmcopy::daemon {

nlohmann::json to_json(const cache::CachedItem& item);
// `dir` is the cache's directory: a client compares it with a state directory it was given.
nlohmann::json to_json(const cache::CacheStats& stats, const std::filesystem::path& dir);

}  // namespace swarmcopy::daemon
