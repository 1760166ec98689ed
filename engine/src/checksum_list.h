// A checksum list named by the caller (`--checksums URL`): the SHA-256 it gives for one file.
// Release sites publish these beside their files; the whole file's SHA-256 is then the file's
// identity, with no metadata at the origin. Read, one entry per line:
// - coreutils' sha256sum: `HEX  NAME` (text) or `HEX *NAME` (binary); a line starting with '\'
//   has its name escaped (`\\` and `\n`);
// - the BSD tag form (`sha256sum --tag`, `shasum`): `SHA256 (NAME) = HEX`;
// - a one-line `.sha256` file: `HEX` alone (or with a name).
// Blank lines and '#' comments are skipped, and so are entries of other algorithms (128 hex
// digits, `SHA512 (…)`). A name matches the file's own name or ends in "/" + it (lists made with
// `sha256sum dir/*`). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "swarmcopy/api/error.h"

namespace swarmcopy::engine {

// The SHA-256 (64 lowercase hex digits) that `list` gives for the file `name` (its URL's last
// path segment, decoded), or why there is none: no entry for it, two that disagree, or a list
// that is not one (read from `list_url`, which the error names as its file).
api::Result<std::string> sha256_from_checksum_list(std::string_view list, std::string_view name,
                                                   const std::string& list_url);

}  // namespace swarmcopy::engine
