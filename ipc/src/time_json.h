// The codec's time parser with a field path for its messages ("times.created: ..."). Private
// to ipc/; the public forms are time_to_json / time_from_json in codec.h.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_times.h"

namespace swarmcopy::ipc {

api::Result<api::Clock::time_point> time_from_json_at(const nlohmann::json& value,
                                                      const std::string& where);

}  // namespace swarmcopy::ipc
