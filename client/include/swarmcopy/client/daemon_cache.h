// The content cache of a running swarmcopyd (daemon/API.md, /v1/cache) as an api::CacheAdmin:
// what `swarmcopy cache` uses when the daemon holds the state directory, so the cache cannot be
// opened directly. Listing and stats are open to every caller the daemon serves (each sees the
// items it fetched; root and the daemon's own user all of them); prune and clear to root or the
// daemon's own user (others get the daemon's refusal as an api::Error). Nothing is asked when
// it is made: each call is one request on a connection of its own, with `timeout` (listing,
// stats) or `cleanup_timeout` (prune, clear). Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "swarmcopy/api/cache_admin.h"

namespace swarmcopy::client {

std::unique_ptr<api::CacheAdmin> connect_cache(
    const std::filesystem::path& socket,
    std::chrono::milliseconds timeout = std::chrono::seconds(30),
    std::chrono::milliseconds cleanup_timeout = std::chrono::seconds(120));

}  // namespace swarmcopy::client
