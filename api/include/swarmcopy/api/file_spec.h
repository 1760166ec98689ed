// FileSpec: what the caller asks for when adding a file to a job (BG_FILE_INFO plus options).
#pragma once

#include <optional>
#include <string>

namespace swarmcopy::api {

struct FileSpec {
  std::string url;         // http:// or https:// only
  std::string local_path;  // absolute; its directory must exist and be writable
  // Expected SHA-256 of the whole file, 64 hex digits; checked before TRANSFERRED.
  std::optional<std::string> sha256;
};

}  // namespace swarmcopy::api
