#include "swarmcopy/apt/acquire_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "swarmcopy/apt/http_date.h"

namespace swarmcopy::apt {
namespace {

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::expected<AcquireRequest, std::string> parse_acquire(const Message& message) {
  AcquireRequest request;
  request.uri = message.get("URI").value_or("");
  if (request.uri.empty()) return std::unexpected("600 URI Acquire without a URI");
  request.filename = message.get("Filename").value_or("");
  if (request.filename.empty() || request.filename.front() != '/') {
    return std::unexpected("600 URI Acquire without an absolute Filename");
  }
  constexpr std::string_view kPrefix = "swarmcopy+";
  std::string_view rest = request.uri;
  if (rest.starts_with(kPrefix)) rest.remove_prefix(kPrefix.size());
  if (!rest.starts_with("http://") && !rest.starts_with("https://")) {
    return std::unexpected("Unsupported URI scheme (swarmcopy+http and swarmcopy+https only): " +
                           request.uri);
  }
  request.url = std::string(rest);
  if (auto sha = message.get("Expected-SHA256")) {
    std::string hex = *sha;
    std::ranges::transform(hex, hex.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (hex.size() != 64 ||
        !std::ranges::all_of(hex, [](unsigned char c) { return std::isxdigit(c) != 0; })) {
      return std::unexpected("Malformed Expected-SHA256: " + *sha);
    }
    request.expected_sha256 = hex;
  }
  if (auto size = message.get("Expected-Checksum-FileSize")) {
    request.expected_size = parse_size(*size);
    if (!request.expected_size) return std::unexpected("Malformed Expected-Checksum-FileSize");
  }
  if (auto max = message.get("Maximum-Size")) {
    auto value = parse_size(*max);
    if (!value) return std::unexpected("Malformed Maximum-Size: " + *max);
    request.maximum_size = *value;
  }
  // As apt's own methods: a known file size is the limit.
  if (request.expected_size && *request.expected_size > 0) {
    request.maximum_size = *request.expected_size;
  }
  if (auto lm = message.get("Last-Modified")) request.last_modified = parse_http_date(*lm);
  request.proxy = message.get("Proxy");
  if (auto index = message.get("Index-File")) {
    request.index_file = *index == "true" || *index == "yes" || *index == "1";
  }
  return request;
}

}  // namespace swarmcopy::apt
