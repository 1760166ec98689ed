// Fuzzes the apt method's reading of what apt writes to it (apt/): the input, cut into reads
// of sizes taken from its own bytes, goes through MessageReader; each message through
// parse_acquire, apply_configuration (then proxy_for on the request's URL) and each field
// value through parse_http_date. Properties: no crash or exception; a reader never holds more
// than its limit; what format_message writes always reads back as exactly one well-formed
// message, and writing that again gives the same text (the method can never send apt a broken
// message, whatever it was given).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "swarmcopy/apt/acquire_request.h"
#include "swarmcopy/apt/http_date.h"
#include "swarmcopy/apt/message.h"
#include "swarmcopy/apt/message_reader.h"
#include "swarmcopy/apt/method_config.h"

namespace {

using swarmcopy::apt::Message;
using swarmcopy::apt::MessageReader;

Message reread(const std::string& text) {
  MessageReader reader;
  reader.feed(text);
  auto next = reader.next();
  FUZZ_CHECK(next.has_value(), "a written message is not complete");
  FUZZ_CHECK(next->has_value(), "a written message does not parse");
  FUZZ_CHECK(!reader.next().has_value(), "a written message reads as more than one");
  FUZZ_CHECK(reader.pending_bytes() == 0, "a written message leaves bytes behind");
  return **next;
}

void check(const Message& message) {
  if (auto request = swarmcopy::apt::parse_acquire(message)) {
    FUZZ_CHECK(request->url.starts_with("http://") || request->url.starts_with("https://"),
               "an accepted request is not for http(s)");
    swarmcopy::apt::MethodConfig config;
    apply_configuration(message, config);
    (void)swarmcopy::apt::proxy_for(config, request->url, request->proxy);
  }
  for (const auto& [name, value] : message.fields) {
    if (auto time = swarmcopy::apt::parse_http_date(value)) {
      (void)swarmcopy::apt::format_http_date(*time);
    }
  }
  const auto first = format_message(message);
  const auto again = format_message(reread(first));
  FUZZ_CHECK(format_message(reread(again)) == again, "writing a message is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  MessageReader reader;
  while (!input.empty()) {
    const std::size_t chunk = 1 + static_cast<unsigned char>(input.front()) % 64;
    const auto piece = input.substr(0, chunk);
    input.remove_prefix(piece.size());
    reader.feed(piece);
    while (auto next = reader.next()) {
      if (*next) check(**next);
    }
    FUZZ_CHECK(reader.pending_bytes() <= MessageReader::kMaxMessageBytes + 64,
               "the reader holds more than its limit");
  }
  return 0;
}
