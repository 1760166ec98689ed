#include "swarmcopy/api/proxy_settings.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "name_table.h"
#include "swarmcopy/api/credentials.h"

namespace swarmcopy::api {
namespace {

constexpr NameTable<ProxyUsage, 3> kUsageNames{{
    {ProxyUsage::kSystem, "system"},
    {ProxyUsage::kNone, "none"},
    {ProxyUsage::kOverride, "override"},
}};

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxBypassEntries = 256;
constexpr std::size_t kMaxHostBytes = 255;

std::unexpected<Error> invalid(std::string message) {
  return fail(ErrorContext::kCaller, ErrorKind::kInvalidArgument, std::move(message));
}

bool is_space_or_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

}  // namespace

std::string_view to_string(ProxyUsage usage) { return name_of(usage, kUsageNames); }

std::optional<ProxyUsage> parse_proxy_usage(std::string_view text) {
  return value_of(text, kUsageNames);
}

Result<void> check_proxy_url(std::string_view url) {
  if (url.empty()) return invalid("the proxy URL is empty");
  if (url.size() > kMaxUrlBytes) return invalid("the proxy URL is longer than 2048 bytes");
  // Messages name the URL masked: it may hold the proxy's password.
  const std::string shown = mask_proxy_url(url);
  if (std::any_of(url.begin(), url.end(), is_space_or_control)) {
    return invalid("the proxy URL '" + shown +
                   "' contains whitespace or a control character (one proxy URL, not a list)");
  }
  if (url.find_first_of(",;") != std::string_view::npos) {
    return invalid("one proxy only: '" + shown +
                   "' looks like a list (libcurl sends each request through one proxy)");
  }
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return invalid("the proxy URL '" + shown +
                   "' has no scheme: write http://, https://, socks5:// or socks5h://");
  }
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::array<std::string_view, 4> kSchemes = {"http", "https", "socks5",
                                                               "socks5h"};
  if (std::find(kSchemes.begin(), kSchemes.end(), scheme) == kSchemes.end()) {
    return invalid("the proxy URL '" + shown + "' has the scheme '" + scheme +
                   "': only http, https, socks5 and socks5h are supported");
  }
  auto authority = url.substr(scheme_end + 3);
  const auto path = authority.find_first_of("/?#");
  if (path != std::string_view::npos) {
    if (authority.substr(path) != "/") {
      return invalid("the proxy URL '" + shown + "' has a path, query or fragment");
    }
    authority = authority.substr(0, path);
  }
  const auto at = authority.rfind('@');
  const auto host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (host_port.empty() || host_port.front() == ':') {
    return invalid("the proxy URL '" + shown + "' has no host");
  }
  return {};
}

Result<void> check_proxy_bypass(std::string_view host) {
  if (host.empty()) return invalid("an empty host in the proxy bypass list");
  if (host.size() > kMaxHostBytes) {
    return invalid("a host in the proxy bypass list is longer than 255 bytes");
  }
  if (host == "*") return {};
  for (const char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    const bool allowed = std::isalnum(byte) != 0 || c == '.' || c == '-' || c == '_' || c == ':' ||
                         c == '[' || c == ']' || c == '/';
    if (!allowed) {
      return invalid("the proxy bypass entry '" + std::string(host.substr(0, 64)) +
                     "' is not a host name, domain, IP address or CIDR range");
    }
  }
  return {};
}

Result<void> check_proxy_settings(const ProxySettings& settings) {
  switch (settings.usage) {
    case ProxyUsage::kSystem:
    case ProxyUsage::kNone:
      if (!settings.proxy.empty() || !settings.bypass.empty()) {
        return invalid(std::string("proxy usage '") + std::string(to_string(settings.usage)) +
                       "' takes no proxy URL and no bypass list");
      }
      return {};
    case ProxyUsage::kOverride:
      if (auto checked = check_proxy_url(settings.proxy); !checked) return checked;
      if (settings.bypass.size() > kMaxBypassEntries) {
        return invalid("the proxy bypass list has more than 256 entries");
      }
      for (const auto& host : settings.bypass) {
        if (auto checked = check_proxy_bypass(host); !checked) return checked;
      }
      return {};
  }
  return invalid("unknown proxy usage");
}

std::string describe(const ProxySettings& settings) {
  if (settings.usage != ProxyUsage::kOverride) return std::string(to_string(settings.usage));
  return mask_proxy_url(settings.proxy);
}

}  // namespace swarmcopy::api
