// CreateJobRequest: the body of POST /v1/jobs (daemon/API.md), `{"name": string, "type"?:
// "DOWNLOAD"}`. Parsing is strict like every request body: unknown fields, wrong types and
// unknown names are kInvalidArgument errors naming the field. Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_state.h"

namespace swarmcopy::ipc {

struct CreateJobRequest {
  std::string name;
  api::JobType type = api::JobType::kDownload;
  bool operator==(const CreateJobRequest&) const = default;
};

nlohmann::json to_json(const CreateJobRequest& request);
api::Result<CreateJobRequest> create_job_request_from_json(const nlohmann::json& value);

}  // namespace swarmcopy::ipc
