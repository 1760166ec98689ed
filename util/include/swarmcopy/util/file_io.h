// Whole reads and writes at an offset through a descriptor the caller holds: short transfers
// and EINTR are retried, the descriptor's own offset is untouched. Every part of the project
// that moves file bytes by offset (the disk layer, piece hashing, the progressive copy, the
// engine's direct writes) goes through these two, so that none of them treats a short read as
// the whole or spins on a write that moves nothing.
#pragma once

#include <cstdint>
#include <span>

namespace swarmcopy::util {

// 0 when all of `buffer` was read; else an errno of pread, or ENODATA when the file ended first.
int pread_fully(int fd, std::span<char> buffer, std::uint64_t offset);

// 0 when all of `bytes` was written; else an errno of pwrite, or ENOSPC for a write that moved
// nothing.
int pwrite_fully(int fd, std::span<const char> bytes, std::uint64_t offset);

}  // namespace swarmcopy::util
