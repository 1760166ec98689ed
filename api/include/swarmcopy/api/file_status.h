// FileStatus: one file of a job as EnumFiles reports it: the spec, its progress, and where
// its bytes came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace swarmcopy::api {

struct FileStatus {
  std::string url;
  std::string local_path;
  std::optional<std::string> sha256;         // the expected hash, when the caller gave one
  std::optional<std::uint64_t> bytes_total;  // nullopt until the origin told the size
  std::uint64_t bytes_transferred = 0;       // verified and on disk
  bool completed = false;
  // Bytes by source, counted as they arrive (a re-download after a failure counts again).
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t from_cache = 0;
  bool operator==(const FileStatus&) const = default;
};

}  // namespace swarmcopy::api
