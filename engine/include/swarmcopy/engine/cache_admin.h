// The content cache of a state directory, opened for inspection and clean-up (`swarmcopy
// cache`) while no engine runs there: the view holds the directory's lock for its lifetime, so
// a directory in use answers kUnavailable, as open_local does. Its caller is the directory's
// owner: every item is listed.
#pragma once

#include <filesystem>
#include <memory>

#include "swarmcopy/api/cache_admin.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::engine {

api::Result<std::unique_ptr<api::CacheAdmin>> open_cache_admin(
    const std::filesystem::path& state_dir, const EngineOptions& options = {});

}  // namespace swarmcopy::engine
