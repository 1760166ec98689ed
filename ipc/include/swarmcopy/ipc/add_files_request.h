// AddFilesRequest: the body of POST /v1/jobs/{id}/files (daemon/API.md), `{"files":
// [FileSpec, ...]}`, added all or none. Strict: unknown fields anywhere, wrong types, a bad
// sha256 or an empty list are kInvalidArgument errors naming the field ("files[1].url").
// Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_spec.h"

namespace swarmcopy::ipc {

struct AddFilesRequest {
  std::vector<api::FileSpec> files;
};

nlohmann::json to_json(const AddFilesRequest& request);
api::Result<AddFilesRequest> add_files_request_from_json(const nlohmann::json& value);

}  // namespace swarmcopy::ipc
