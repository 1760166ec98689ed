#include "content_range.h"

#include <charconv>

namespace swarmcopy::engine::origin {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<ContentRange> ContentRange::parse(std::string_view value) {
  constexpr std::string_view kUnit = "bytes ";
  if (value.size() < kUnit.size()) return std::nullopt;
  for (std::size_t i = 0; i < kUnit.size(); ++i) {
    // The unit is case-insensitive; only letters are folded (NUL | 0x20 would pass for ' ').
    const char c =
        value[i] >= 'A' && value[i] <= 'Z' ? static_cast<char>(value[i] | 0x20) : value[i];
    if (c != kUnit[i]) return std::nullopt;
  }
  value.remove_prefix(kUnit.size());
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view span = value.substr(0, slash);
  const std::string_view total = value.substr(slash + 1);

  ContentRange range;
  if (total != "*") {
    range.total = parse_number(total);
    if (!range.total) return std::nullopt;
  }
  if (span == "*") {
    if (!range.total) return std::nullopt;  // "bytes */*" says nothing
    return range;
  }
  const auto dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  range.first = parse_number(span.substr(0, dash));
  range.last = parse_number(span.substr(dash + 1));
  if (!range.first || !range.last || *range.last < *range.first) return std::nullopt;
  if (range.total && *range.last >= *range.total) return std::nullopt;
  return range;
}

}  // namespace swarmcopy::engine::origin
