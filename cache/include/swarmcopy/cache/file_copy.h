// Copying a cached item out (or a verified file in, or pieces of one): a reflink (FICLONE) where
// the file system shares extents copy-on-write — instant, and still a separate file — else
// copy_file_range, else read/write. Blocking.
#pragma once

#include <cstdint>
#include <string>

#include "swarmcopy/api/error.h"

namespace swarmcopy::cache {

// Copies `size` bytes from offset 0 of `source_fd` to offset 0 of `dest_fd`.
api::Result<void> copy_file_data(int source_fd, int dest_fd, std::uint64_t size,
                                 const std::string& dest_name);

// Copies `length` bytes at `offset` of `source_fd` to the same offset of `dest_fd`: in the
// kernel (copy_file_range) where it can, else through a buffer. A source shorter than that is
// an error (EIO).
api::Result<void> copy_range(int source_fd, int dest_fd, std::uint64_t offset, std::uint64_t length,
                             const std::string& dest_name);

}  // namespace swarmcopy::cache
