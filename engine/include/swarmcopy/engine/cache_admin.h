// CacheAdmin: the content cache of a state directory, opened for inspection and clean-up
// (`swarmcopy cache`). It holds the directory's lock for its lifetime, so no engine runs on
// that directory meanwhile; a directory in use answers kUnavailable, as open_local does.
// Not thread-safe beyond what ContentStore promises.
#pragma once

#include <filesystem>
#include <memory>

#include "swarmcopy/api/error.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::engine {

class CacheAdmin {
 public:
  static api::Result<std::unique_ptr<CacheAdmin>> open(const std::filesystem::path& state_dir,
                                                       const EngineOptions& options = {});
  virtual ~CacheAdmin() = default;
  virtual cache::ContentStore& store() = 0;
};

}  // namespace swarmcopy::engine
