// Local file rules and operations of a job: where a destination may be, where its temporary
// file lives, and the durable move into place. Functions only. Paths here are the job owner's:
// each operation reaches its file by name in the directory JobDirectory opens (so a job root
// owns never follows a link another user planted), and never opens one that could be a FIFO, a
// device or a symlink. move_all_into_place fsyncs directories: call it on the blocking pool, not
// the engine thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/job_id.h"

namespace swarmcopy::engine {

// An error of kind kLocalIo (or kDiskFull for ENOSPC/EDQUOT) for `path` with errno `err`.
api::Error local_file_error(const std::string& what, const std::string& path, int err);

// A destination must be absolute, name a file (not a directory) in an existing directory that
// this process may write to.
api::Result<void> check_destination(const std::string& path);

// ".<name>.<job id>-<index>.part" in the destination's directory: hidden, unique per job file,
// and on the destination's file system so that Complete is a rename.
std::string temp_path_for(const std::string& destination, const api::JobId& job,
                          std::uint32_t index);

// Checks, without opening it, that `path` is still a job's finished temporary file: a regular
// file (not a symlink, FIFO or device), owned by `owner_uid`, of `size` bytes when known. Its data
// was fdatasync'ed through the transfer's own descriptor before the job became TRANSFERRED.
api::Result<void> check_temp_file(const std::string& path, std::uint32_t owner_uid,
                                  std::optional<std::uint64_t> size);

struct PendingMove {
  std::string temp;
  std::string destination;
};

// Complete's move: every temporary file onto its destination, all or none. Each rename is
// atomic (a destination is the old file or the new one, never partial); when one fails, the
// ones already moved go back to their temporary names and the replaced destinations are
// restored (from hard links taken first), so a later attempt can try again. Then each
// destination directory is fsynced.
api::Result<void> move_all_into_place(std::span<const PendingMove> moves);

// Removes a file; a missing file is not an error.
api::Result<void> remove_file(const std::string& path);

bool file_exists(const std::string& path);

// True for 64 hex digits.
bool is_sha256_hex(const std::string& text);

}  // namespace swarmcopy::engine
