// Small text helpers for HTTP header lines and values, shared by the header readers of this
// folder (response_headers, digest_headers). Pure, inline.
#pragma once

#include <cstddef>
#include <string_view>

namespace swarmcopy::engine::origin {

// `text` without blanks, tabs and line ends at either end.
inline std::string_view trim_header_text(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// ASCII case-insensitive equality, as header names and digest algorithm names compare.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace swarmcopy::engine::origin
