// Fuzzes ResponseHeaders (engine/src/origin/response_headers.h) as curl feeds it: the input is
// a header block, split after each '\n' and fed line by line, as CURLOPT_HEADERFUNCTION hands
// them over (with redirects and 1xx answers, several blocks). Properties: no crash; a parsed
// Content-Range is what ContentRange::parse makes of the raw value, and is only there when
// the header was; the values a transfer compares between responses (ETag, Last-Modified)
// carry no blank or line break at either end, so that spacing alone never reads as a change;
// a SHA-256 read from Repr-Digest or Digest is 64 lowercase hex digits, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "response_headers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using swarmcopy::engine::origin::ContentRange;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  swarmcopy::engine::origin::ResponseHeaders headers;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto length = end == std::string_view::npos ? rest.size() : end + 1;
    headers.feed(rest.substr(0, length));
    rest.remove_prefix(length);
  }
  if (headers.content_range()) {
    FUZZ_CHECK(headers.has_content_range(), "a Content-Range without the header");
    FUZZ_CHECK(ContentRange::parse(headers.content_range_raw()) == headers.content_range(),
               "the parsed Content-Range is not the raw value's");
  }
  if (!headers.has_content_range()) {
    FUZZ_CHECK(headers.content_range_raw().empty(), "a raw Content-Range without the header");
  }
  for (const auto* value : {&headers.etag(), &headers.last_modified(), &headers.retry_after(),
                            &headers.content_range_raw()}) {
    if (value->empty()) continue;
    constexpr std::string_view kBlanks = " \t\r\n";
    FUZZ_CHECK(kBlanks.find(value->front()) == std::string_view::npos &&
                   kBlanks.find(value->back()) == std::string_view::npos,
               "a value is not trimmed");
  }
  if (const auto sha256 = headers.sha256()) {
    FUZZ_CHECK(
        sha256->size() == 64 && sha256->find_first_not_of("0123456789abcdef") == std::string::npos,
        "a digest that is not 64 lowercase hex digits");
  }
  return 0;
}
