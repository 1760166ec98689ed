// The whole representation's SHA-256 as an origin states it in a response header: RFC 9530's
// `Repr-Digest: sha-256=:<base64>:` (a Structured Fields dictionary; it describes the whole
// representation even in a 206 answer, so the probe's one-byte range carries it) or RFC 3230's
// legacy `Digest: SHA-256=<base64>`. Both give the hash as base64 of its 32 bytes; we return it
// as 64 lowercase hex digits, the form the rest of the project uses. Anything malformed (bad
// base64, another length, a parameter we do not know how to read) gives nullopt: a digest we
// cannot read is no digest, never a guess. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace swarmcopy::engine::origin {

// The sha-256 member of a Repr-Digest field value (other algorithms are skipped).
std::optional<std::string> sha256_from_repr_digest(std::string_view value);
// The SHA-256 of a legacy Digest field value (instance digests, comma-separated).
std::optional<std::string> sha256_from_legacy_digest(std::string_view value);

}  // namespace swarmcopy::engine::origin
