// ContentRange: a parsed Content-Range response header ("bytes 0-99/1000", "bytes 0-99/*",
// "bytes */1000"). Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace swarmcopy::engine::origin {

struct ContentRange {
  // Both set for a satisfied range (inclusive, as on the wire); both empty for "bytes */N".
  std::optional<std::uint64_t> first;
  std::optional<std::uint64_t> last;
  std::optional<std::uint64_t> total;  // nullopt for "/*"

  // nullopt when the value is not a well-formed bytes range (other units, last < first, ...).
  static std::optional<ContentRange> parse(std::string_view value);
  bool operator==(const ContentRange&) const = default;
};

}  // namespace swarmcopy::engine::origin
