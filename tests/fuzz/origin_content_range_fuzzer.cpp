// Fuzzes ContentRange::parse (engine/src/origin/content_range.h), which decides whether an
// origin's 206 answer is the range the transfer asked for. Properties of an accepted value:
// the unit is "bytes " in any case; either both ends or neither (then a total); first <= last
// < total; written back as "bytes F-L/T" it parses to the same range.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "content_range.h"
#include "fuzz_check.h"

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string format(const swarmcopy::engine::origin::ContentRange& range) {
  std::string text = "bytes ";
  text += range.first ? std::to_string(*range.first) + "-" + std::to_string(*range.last) : "*";
  text += "/" + (range.total ? std::to_string(*range.total) : std::string("*"));
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using swarmcopy::engine::origin::ContentRange;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const auto range = ContentRange::parse(value);
  if (!range) return 0;
  FUZZ_CHECK(lower(value.substr(0, 6)) == "bytes ", "accepted without the unit \"bytes \"");
  FUZZ_CHECK(range->first.has_value() == range->last.has_value(), "one end of a range");
  if (range->first) {
    FUZZ_CHECK(*range->first <= *range->last, "first > last accepted");
    FUZZ_CHECK(!range->total || *range->last < *range->total, "last >= total accepted");
  } else {
    FUZZ_CHECK(range->total.has_value(), "\"bytes */*\" accepted");
  }
  FUZZ_CHECK(ContentRange::parse(format(*range)) == range, "the range does not survive writing");
  return 0;
}
