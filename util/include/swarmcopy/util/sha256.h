// SHA-256 of a file's whole content, read through an open descriptor (from offset 0 with
// pread, the descriptor's offset untouched) so that the bytes hashed are those of the file
// that was opened, not whatever a path names now. Blocking: keep it off the engine thread.
#pragma once

#include <string>
#include <string_view>

#include "swarmcopy/api/error.h"

namespace swarmcopy::util {

// SHA-256 of `bytes` in memory, lower-case hex.
std::string sha256_hex(std::string_view bytes);

// Lower-case hex. A read error is a kLocalIo error naming `path_for_errors`.
api::Result<std::string> sha256_of_fd(int fd, const std::string& path_for_errors);

}  // namespace swarmcopy::util
