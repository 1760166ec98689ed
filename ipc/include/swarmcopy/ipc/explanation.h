// The wire form of `job explain` (GET /v1/jobs/{id}/explain, daemon/API.md): {"files": [...]},
// one api::FileExplanation per file in the job's order. Readers ignore fields they do not know
// (a newer daemon may add some). Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_explanation.h"

namespace swarmcopy::ipc {

nlohmann::json to_json(const api::FileExplanation& explanation);
nlohmann::json explanations_to_json(const std::vector<api::FileExplanation>& files);
api::Result<std::vector<api::FileExplanation>> explanations_from_json(const nlohmann::json& value);

}  // namespace swarmcopy::ipc
