#include "swarmcopy/ipc/add_files_request.h"

#include "codec_internal.h"
#include "object_reader.h"
#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::ipc {

nlohmann::json to_json(const AddFilesRequest& request) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : request.files) files.push_back(to_json(file));
  return {{"files", std::move(files)}};
}

api::Result<AddFilesRequest> add_files_request_from_json(const nlohmann::json& value) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, ""));
  if (auto known = reader->reject_unknown({"files"}); !known) {
    return std::unexpected(known.error());
  }
  SWARMCOPY_READ(files, reader->required("files"));
  if (!(*files)->is_array()) {
    return field_error("files", "expected an array of files, got " + type_name(**files));
  }
  if ((*files)->empty()) return field_error("files", "no files given");
  AddFilesRequest request;
  for (std::size_t i = 0; i < (*files)->size(); ++i) {
    SWARMCOPY_READ(file, file_spec_from_json_at((**files)[i], index_path("files", i)));
    request.files.push_back(std::move(*file));
  }
  return request;
}

}  // namespace swarmcopy::ipc
