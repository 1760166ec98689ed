// CreateJobRequest: the body of POST /v1/jobs (daemon/API.md), `{"name": string, "type"?:
// "DOWNLOAD", "umask"?: 0..511}` (umask: the client's, for the job's files; the daemon cannot
// read it from the socket). Parsing is strict like every request body: unknown fields, wrong types
// and unknown names are kInvalidArgument errors naming the field. Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_state.h"

namespace swarmcopy::ipc {

struct CreateJobRequest {
  std::string name;
  api::JobType type = api::JobType::kDownload;
  std::optional<std::uint32_t> umask;
  bool operator==(const CreateJobRequest&) const = default;
};

nlohmann::json to_json(const CreateJobRequest& request);
api::Result<CreateJobRequest> create_job_request_from_json(const nlohmann::json& value);

}  // namespace swarmcopy::ipc
