#include "url.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "swarmcopy/origin/url_syntax.h"

namespace swarmcopy::engine {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

api::Result<api::Protocol> check_url(std::string_view url) {
  auto bad = [&](std::string why) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                     "invalid URL: " + why, 0, std::string(url));
  };
  if (url.empty()) return bad("empty");
  if (url.size() > 8192) return bad("longer than 8192 characters");
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return bad("contains a space or control character");
  }
  api::Protocol protocol;
  std::string_view rest;
  if (starts_with_ci(url, "http://")) {
    protocol = api::Protocol::kHttp;
    rest = url.substr(7);
  } else if (starts_with_ci(url, "https://")) {
    protocol = api::Protocol::kHttps;
    rest = url.substr(8);
  } else {
    const auto colon = url.find(':');
    if (colon == std::string_view::npos) return bad("no scheme (expected http:// or https://)");
    return bad("unsupported scheme '" + std::string(url.substr(0, colon)) +
               "' (only http and https)");
  }
  const auto authority = rest.substr(0, rest.find_first_of("/?#"));
  auto host =
      authority.substr(authority.find('@') == std::string_view::npos ? 0 : authority.find('@') + 1);
  if (host.empty() || host.front() == ':') return bad("no host");
  if (auto error = origin::url_syntax_error(url)) return bad(*error);
  return protocol;
}

}  // namespace swarmcopy::engine
