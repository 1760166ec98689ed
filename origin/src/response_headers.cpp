#include "response_headers.h"

#include <charconv>

#include "digest_headers.h"
#include "header_text.h"

namespace swarmcopy::engine::origin {
void ResponseHeaders::reset() { *this = ResponseHeaders{}; }

void ResponseHeaders::feed(std::string_view line) {
  // "HTTP/1.1 206 Partial Content", "HTTP/2 200": a new response begins.
  if (line.starts_with("HTTP/")) {
    reset();
    std::string_view rest = trim_header_text(line);
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) return;
    rest = trim_header_text(rest.substr(space + 1));
    const auto code_end = rest.find(' ');
    const std::string_view code = rest.substr(0, code_end);
    int status = 0;
    auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec == std::errc{} && ptr == code.data() + code.size()) status_ = status;
    if (code_end != std::string_view::npos)
      reason_ = std::string(trim_header_text(rest.substr(code_end)));
    return;
  }
  if (trim_header_text(line).empty()) {
    complete_ = true;
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return;  // obsolete line folding: nothing we use
  const std::string_view name = trim_header_text(line.substr(0, colon));
  const std::string_view value = trim_header_text(line.substr(colon + 1));

  if (iequals(name, "Content-Length")) {
    std::uint64_t length = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc{} && ptr == value.data() + value.size()) content_length_ = length;
  } else if (iequals(name, "Content-Range")) {
    has_content_range_ = true;
    content_range_raw_ = std::string(value);
    content_range_ = ContentRange::parse(value);
  } else if (iequals(name, "ETag")) {
    etag_ = std::string(value);
  } else if (iequals(name, "Last-Modified")) {
    last_modified_ = std::string(value);
  } else if (iequals(name, "Content-Encoding")) {
    if (!content_encoding_.empty()) content_encoding_ += ", ";
    content_encoding_ += value;
  } else if (iequals(name, "Retry-After")) {
    retry_after_ = std::string(value);
  } else if (iequals(name, "Repr-Digest")) {
    if (!repr_digest_.empty()) repr_digest_ += ", ";
    repr_digest_ += value;
  } else if (iequals(name, "Digest")) {
    if (!legacy_digest_.empty()) legacy_digest_ += ", ";
    legacy_digest_ += value;
  }
}

std::optional<std::string> ResponseHeaders::sha256() const {
  if (!repr_digest_.empty()) {
    // A Repr-Digest without sha-256 (only sha-512, say) leaves the legacy header to speak.
    if (auto hash = sha256_from_repr_digest(repr_digest_)) return hash;
  }
  if (!legacy_digest_.empty()) return sha256_from_legacy_digest(legacy_digest_);
  return std::nullopt;
}

}  // namespace swarmcopy::engine::origin
