#include "swarmcopy/api/credentials.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace swarmcopy::api {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string header_name(std::string_view header) {
  const auto colon = header.find(':');
  return lower(trim(header.substr(0, colon == std::string_view::npos ? header.size() : colon)));
}

// Query parameter names (lower case) that carry a secret when they contain one of these.
bool secret_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kParts = {
      "sig",        "token",   "key",    "auth",    "pass", "secret",
      "credential", "session", "x-amz-", "x-goog-", "jwt"};
  const auto lowered = lower(name);
  return std::any_of(kParts.begin(), kParts.end(), [&](std::string_view part) {
    return lowered.find(part) != std::string::npos;
  });
}

struct UrlParts {
  std::size_t authority_begin = 0;  // after "scheme://"
  std::size_t authority_end = 0;
  std::size_t at = std::string_view::npos;           // the '@' ending the userinfo
  std::size_t query_begin = std::string_view::npos;  // after '?'
  std::size_t query_end = 0;                         // before '#' or the end
};

UrlParts split(std::string_view url) {
  UrlParts parts;
  const auto scheme_end = url.find("://");
  parts.authority_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  parts.authority_end = url.find_first_of("/?#", parts.authority_begin);
  if (parts.authority_end == std::string_view::npos) parts.authority_end = url.size();
  const auto at =
      url.substr(parts.authority_begin, parts.authority_end - parts.authority_begin).rfind('@');
  if (at != std::string_view::npos) parts.at = parts.authority_begin + at;
  const auto fragment = url.find('#', parts.authority_end);
  parts.query_end = fragment == std::string_view::npos ? url.size() : fragment;
  const auto question = url.find('?', parts.authority_end);
  if (question != std::string_view::npos && question < parts.query_end) {
    parts.query_begin = question + 1;
  }
  return parts;
}

}  // namespace

bool is_secret_header(std::string_view header) {
  const auto name = header_name(header);
  return name == "authorization" || name == "proxy-authorization" || name == "cookie";
}

bool header_may_carry_credentials(std::string_view header) {
  static constexpr std::array<std::string_view, 7> kHarmless = {
      "user-agent",    "accept", "accept-language", "accept-encoding",
      "cache-control", "pragma", "referer"};
  const auto name = header_name(header);
  return std::find(kHarmless.begin(), kHarmless.end(), name) == kHarmless.end();
}

bool url_has_credentials(std::string_view url) {
  const auto parts = split(url);
  if (parts.at != std::string_view::npos) return true;
  if (parts.query_begin == std::string_view::npos) return false;
  auto query = url.substr(parts.query_begin, parts.query_end - parts.query_begin);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    if (secret_parameter(pair.substr(0, pair.find('=')))) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

bool sends_credentials(std::string_view url, std::span<const std::string> headers) {
  return url_has_credentials(url) ||
         std::any_of(headers.begin(), headers.end(), [](const std::string& header) {
           return header_may_carry_credentials(header);
         });
}

std::string mask_header(std::string_view header) {
  if (!is_secret_header(header) || header.find(':') == std::string_view::npos) {
    return std::string(header);
  }
  return std::string(trim(header.substr(0, header.find(':')))) + ": ***";
}

std::string mask_url(std::string_view url) {
  const auto parts = split(url);
  std::string out(url.substr(0, parts.authority_begin));
  std::size_t host_begin = parts.authority_begin;
  if (parts.at != std::string_view::npos) {
    // The whole userinfo: a token is often the user name ("https://TOKEN@host/").
    out += "***";
    host_begin = parts.at;  // keeps the '@'
  }
  if (parts.query_begin == std::string_view::npos) {
    out += url.substr(host_begin);
    return out;
  }
  out += url.substr(host_begin, parts.query_begin - host_begin);
  auto query = url.substr(parts.query_begin, parts.query_end - parts.query_begin);
  bool first = true;
  while (true) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto equals = pair.find('=');
    if (!first) out += '&';
    first = false;
    if (equals != std::string_view::npos && secret_parameter(pair.substr(0, equals))) {
      out += std::string(pair.substr(0, equals)) + "=***";
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  out += url.substr(parts.query_end);
  return out;
}

std::string mask_proxy_url(std::string_view url) {
  const auto parts = split(url);
  if (parts.at == std::string_view::npos) return std::string(url);
  const auto userinfo = url.substr(parts.authority_begin, parts.at - parts.authority_begin);
  const auto colon = userinfo.find(':');
  std::string out(url.substr(0, parts.authority_begin));
  // "user:***": the user name tells which account, the password stays hidden. A user name
  // alone is often the secret itself (a token), so it is hidden whole.
  out += colon == std::string_view::npos ? std::string("***")
                                         : std::string(userinfo.substr(0, colon)) + ":***";
  out += url.substr(parts.at);
  return out;
}

}  // namespace swarmcopy::api
