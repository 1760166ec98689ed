// A blob GET's Range header (RFC 9110, 14.2), as the mirror answers it: one range of bytes,
// or the whole blob. containerd and Docker resume an interrupted layer with `Range: bytes=N-`;
// the upstream registry honours it, and so must a mirror in its place. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace swarmcopy::registry {

struct RangeAnswer {
  enum class Kind {
    kWhole,          // 200: no Range, one the server may ignore (several ranges, bad syntax,
                     // another unit), or an If-Range naming another representation
    kPart,           // 206 with bytes [first, last]
    kUnsatisfiable,  // 416: no byte of the blob is in the range
  };
  Kind kind = Kind::kWhole;
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive; for kPart, last < size
};

// `range`: the Range header's value (nullopt: none). `if_range`: the If-Range header's value
// (nullopt: none); anything but `etag` itself means the client's copy is another one.
RangeAnswer answer_range(std::optional<std::string_view> range,
                         std::optional<std::string_view> if_range, std::string_view etag,
                         std::uint64_t size);

}  // namespace swarmcopy::registry
