// The wire forms of the cache endpoints (API.md, "CacheItem" and "CacheStats"). Kept here, not
// in ipc/: only swarmcopyd writes them, and the client reads them with its own lenient decoder.
// Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "swarmcopy/api/cache_admin.h"

namespace swarmcopy::daemon {

nlohmann::json to_json(const api::CacheItem& item);
// With the cache's directory: a client compares it with a state directory it was given.
nlohmann::json to_json(const api::CacheStats& stats);

}  // namespace swarmcopy::daemon
