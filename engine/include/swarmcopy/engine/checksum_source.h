// A checksum list named by the caller (`--checksums URL`): the SHA-256 it gives for one file,
// resolved by the caller before the job is made, so that the job's identity is a hash the caller
// gave (as --sha256), fetched with the caller's own headers, and a daemon never fetches a list
// for anyone. See checksum_list.h (engine/src) for the formats read.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::engine {

// A list larger than this is not a checksum list (Debian's and Ubuntu's are a few KiB).
inline constexpr std::size_t kMaxChecksumListBytes = 4 << 20;

// Fetches the list at `checksums_url` once (without any job's headers: the list may be on
// another host than the files) and returns the SHA-256 (64 lower-case hex digits) it gives for
// each of `file_names` (a file's URL's last path segment, decoded), in order. An error names
// the list: not reachable, too large, no entry for a name, entries that disagree. Blocking (its
// own HTTP client), two minutes at most.
api::Result<std::vector<std::string>> sha256s_from_checksums(
    const std::string& checksums_url, const std::vector<std::string>& file_names);

}  // namespace swarmcopy::engine
