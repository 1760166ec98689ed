// JobPatch: the body of PATCH /v1/jobs/{id} (daemon/API.md): the settings to change, each
// optional; absent ones stay as they are. Strict: unknown fields, wrong types, an unknown
// priority name, notify flags outside api::kAllNotifyBits or a no_progress_timeout over
// 2^31-1 seconds are kInvalidArgument errors naming the field. Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_patch.h"
#include "swarmcopy/api/job_state.h"
#include "swarmcopy/api/notify_flags.h"

namespace swarmcopy::ipc {

// The wire form of api::JobPatch.
using JobPatch = api::JobPatch;

nlohmann::json to_json(const JobPatch& patch);
api::Result<JobPatch> job_patch_from_json(const nlohmann::json& value);

}  // namespace swarmcopy::ipc
