#include "swarmcopy/registry/byte_range.h"

#include <charconv>

namespace swarmcopy::registry {
namespace {

constexpr std::string_view kSpaces = " \t";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpaces) - first + 1);
}

// A non-empty run of digits, the whole of `text`, that fits 64 bits.
std::optional<std::uint64_t> digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool unit_is_bytes(std::string_view unit) {
  if (unit.size() != 5) return false;
  for (std::size_t i = 0; i < unit.size(); ++i) {
    if ((unit[i] | 0x20) != "bytes"[i]) return false;
  }
  return true;
}

}  // namespace

RangeAnswer answer_range(std::optional<std::string_view> range,
                         std::optional<std::string_view> if_range, std::string_view etag,
                         std::uint64_t size) {
  const RangeAnswer whole;
  if (!range) return whole;
  if (if_range && trim(*if_range) != etag) return whole;
  const auto equals = range->find('=');
  if (equals == std::string_view::npos || !unit_is_bytes(trim(range->substr(0, equals)))) {
    return whole;
  }
  const auto spec = trim(range->substr(equals + 1));
  // Several ranges would need a multipart answer: a server may send the whole instead.
  if (spec.find(',') != std::string_view::npos) return whole;
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  const auto from_text = spec.substr(0, dash);
  const auto to_text = spec.substr(dash + 1);
  RangeAnswer answer;
  if (from_text.empty()) {
    // "-N": the last N bytes.
    const auto suffix = digits(to_text);
    if (!suffix) return whole;
    if (*suffix == 0 || size == 0) return {RangeAnswer::Kind::kUnsatisfiable};
    answer.first = *suffix >= size ? 0 : size - *suffix;
    answer.last = size - 1;
  } else {
    const auto from = digits(from_text);
    if (!from) return whole;
    std::optional<std::uint64_t> to;
    if (!to_text.empty()) {
      to = digits(to_text);
      if (!to || *to < *from) return whole;  // an invalid range-spec is ignored
    }
    if (*from >= size) return {RangeAnswer::Kind::kUnsatisfiable};
    answer.first = *from;
    answer.last = to && *to < size ? *to : size - 1;
  }
  answer.kind = RangeAnswer::Kind::kPart;
  return answer;
}

}  // namespace swarmcopy::registry
