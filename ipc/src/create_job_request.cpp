#include "swarmcopy/ipc/create_job_request.h"

#include "codec_internal.h"
#include "object_reader.h"

namespace swarmcopy::ipc {

nlohmann::json to_json(const CreateJobRequest& request) {
  nlohmann::json json = {{"name", request.name}, {"type", api::to_string(request.type)}};
  if (request.umask) json["umask"] = *request.umask;
  return json;
}

api::Result<CreateJobRequest> create_job_request_from_json(const nlohmann::json& value) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, ""));
  if (auto known = reader->reject_unknown({"name", "type", "umask"}); !known) {
    return std::unexpected(known.error());
  }
  CreateJobRequest request;
  SWARMCOPY_READ(name, reader->string("name"));
  request.name = std::move(*name);
  SWARMCOPY_READ(type_text, reader->optional_string("type"));
  if (*type_text) {
    const auto type = api::parse_job_type(**type_text);
    if (!type) return field_error("type", "unknown job type \"" + **type_text + "\"");
    request.type = *type;
  }
  if (value.contains("umask")) {
    SWARMCOPY_READ(umask, reader->unsigned_integer("umask", 0777));
    request.umask = static_cast<std::uint32_t>(*umask);
  }
  return request;
}

}  // namespace swarmcopy::ipc
