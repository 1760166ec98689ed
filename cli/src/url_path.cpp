#include "url_path.h"

#include <cctype>

namespace swarmcopy::cli {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// The part after "scheme://", or nullopt for a non-http(s) URL.
std::optional<std::string_view> after_scheme(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (starts_with_nocase(url, scheme)) return url.substr(scheme.size());
  }
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool is_http_url(std::string_view url) {
  const auto rest = after_scheme(url);
  if (!rest) return false;
  // An empty host ("http:///x") is no URL.
  return !rest->empty() && rest->find_first_of("/?#") != 0;
}

std::expected<std::string, std::string> parse_http_url(std::string_view url) {
  if (is_http_url(url)) return std::string(url);
  return std::unexpected("not an http:// or https:// URL: " + std::string(url));
}

std::optional<std::string> file_name_from_url(std::string_view url) {
  auto rest = after_scheme(url);
  if (!rest) return std::nullopt;
  std::string_view path = *rest;
  path = path.substr(0, path.find_first_of("?#"));
  const auto slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;  // "http://host": no path at all
  path = path.substr(slash);
  const std::string_view segment = path.substr(path.rfind('/') + 1);

  std::string name;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size()) {
      const int hi = hex_value(segment[i + 1]);
      const int lo = hex_value(segment[i + 2]);
      if (hi >= 0 && lo >= 0) {
        name += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    name += segment[i];
  }
  // A decoded '/' or NUL would let the URL choose a path outside the current directory.
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
    return std::nullopt;
  }
  return name;
}

}  // namespace swarmcopy::cli
