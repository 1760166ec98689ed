// Progress (BG_JOB_PROGRESS): a job's byte and file counts. bytes_total is unknown (nullopt)
// until the size of every file is known.
#pragma once

#include <cstdint>
#include <optional>

namespace swarmcopy::api {

struct Progress {
  std::optional<std::uint64_t> bytes_total;
  std::uint64_t bytes_transferred = 0;
  std::uint32_t files_total = 0;
  std::uint32_t files_transferred = 0;
  bool operator==(const Progress&) const = default;
};

}  // namespace swarmcopy::api
