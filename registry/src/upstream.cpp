#include "swarmcopy/registry/upstream.h"

#include <charconv>

#include "swarmcopy/registry/oci_request.h"

namespace swarmcopy::registry {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::expected<Upstream, std::string> parse_one(std::string_view entry) {
  Upstream upstream;
  std::string_view url = entry;
  if (const auto equals = entry.find('='); equals != std::string_view::npos) {
    upstream.name = std::string(trim(entry.substr(0, equals)));
    url = trim(entry.substr(equals + 1));
    if (!is_registry_host(upstream.name)) {
      return std::unexpected("\"" + upstream.name + "\" is not a registry name (host[:port])");
    }
  }
  // The URL as an error may show it: userinfo (a password, a token) masked.
  std::string shown(url);
  if (const auto at = shown.find('@'); at != std::string::npos) {
    const auto scheme = shown.find("://");
    const auto from = scheme == std::string::npos ? 0 : scheme + 3;
    if (at > from) shown.replace(from, at - from, "***");
  }
  const auto bad = [&](const std::string& why) {
    return std::unexpected("\"" + shown + "\": " + why);
  };
  std::string_view rest;
  if (url.starts_with("https://")) {
    upstream.tls = true;
    upstream.port = 443;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return bad("expected an http:// or https:// URL");
  }
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  while (path.ends_with('/')) path.remove_suffix(1);
  for (char c : path) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '.' || c == '-' || c == '_';
    if (!ok) return bad("the path may hold letters, digits, '/', '.', '-' and '_' only");
  }
  if (authority.find('@') != std::string_view::npos) {
    return bad("credentials do not belong in the URL: clients send their own");
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return bad("expected :PORT after ']'");
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':';
    if (!ok) return bad("a malformed host");
  }
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("a malformed port");
    }
    upstream.port = static_cast<std::uint16_t>(value);
  }
  upstream.host = std::string(host);
  upstream.base_path = std::string(path);
  if (upstream.name.empty()) upstream.name = upstream.host_header();
  return upstream;
}

}  // namespace

std::string Upstream::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string text = v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) text += ":" + std::to_string(port);
  return text;
}

std::string Upstream::url() const {
  return (tls ? "https://" : "http://") + host_header() + base_path;
}

std::expected<std::vector<Upstream>, std::string> parse_upstreams(std::string_view text) {
  std::vector<Upstream> upstreams;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (entry.empty()) continue;
    auto upstream = parse_one(entry);
    if (!upstream) return std::unexpected(upstream.error());
    for (const auto& known : upstreams) {
      if (known.name == upstream->name) {
        return std::unexpected("two upstreams named \"" + known.name + "\"");
      }
    }
    upstreams.push_back(std::move(*upstream));
  }
  return upstreams;
}

const Upstream* select_upstream(std::span<const Upstream> upstreams,
                                const std::optional<std::string>& ns) {
  if (upstreams.empty()) return nullptr;
  if (!ns) return &upstreams.front();
  for (const auto& upstream : upstreams) {
    if (upstream.name == *ns) return &upstream;
  }
  return nullptr;
}

}  // namespace swarmcopy::registry
