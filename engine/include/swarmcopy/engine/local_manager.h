// The embedded engine: open_local() returns a Manager that runs jobs in this process. It owns
// one engine thread (all job state lives there), a notification thread for callbacks, and the
// job store in `state_dir` (created if missing; one process at a time: the directory is locked
// exclusively). Jobs that were active when the last process stopped resume by themselves.
// Destroying the manager suspends nothing in the store: running jobs resume at the next open.
#pragma once

#include <filesystem>
#include <memory>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/manager.h"
#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::engine {

api::Result<std::shared_ptr<api::Manager>> open_local(const std::filesystem::path& state_dir,
                                                      const EngineOptions& options = {});

}  // namespace swarmcopy::engine
