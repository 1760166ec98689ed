// Copying a cached item out (or a verified file in): a reflink (FICLONE) where the file system
// shares extents copy-on-write — instant, and still a separate file — else copy_file_range,
// else read/write. Blocking.
#pragma once

#include <cstdint>
#include <string>

#include "swarmcopy/api/error.h"

namespace swarmcopy::cache {

// Copies `size` bytes from offset 0 of `source_fd` to offset 0 of `dest_fd`.
api::Result<void> copy_file_data(int source_fd, int dest_fd, std::uint64_t size,
                                 const std::string& dest_name);

}  // namespace swarmcopy::cache
