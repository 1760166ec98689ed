// `swarmcopy job explain` (and `get --explain`): why each file's bytes came from where they
// came, as text for a person or as one JSON object ({"id", "files": [{url, path, from_origin,
// from_peers, from_cache, refetched, and the explanation's fields}]}).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "swarmcopy/api/file_explanation.h"
#include "swarmcopy/api/job_info.h"

namespace swarmcopy::cli {

std::string explanation_text(const api::JobInfo& info,
                             const std::vector<api::FileExplanation>& files);
nlohmann::json explanation_json(const api::JobInfo& info,
                                const std::vector<api::FileExplanation>& files);

}  // namespace swarmcopy::cli
