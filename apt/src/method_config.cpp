#include "swarmcopy/apt/method_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace swarmcopy::apt {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool parse_bool(std::string_view v, bool fallback) {
  if (iequals(v, "true") || iequals(v, "yes") || iequals(v, "1") || iequals(v, "on") ||
      iequals(v, "with") || iequals(v, "enable")) {
    return true;
  }
  if (iequals(v, "false") || iequals(v, "no") || iequals(v, "0") || iequals(v, "off") ||
      iequals(v, "without") || iequals(v, "disable")) {
    return false;
  }
  return fallback;
}

template <class T>
void parse_number(std::string_view v, T& out) {
  T value{};
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec == std::errc() && end == v.data() + v.size()) out = value;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lower(std::string text) {
  std::ranges::transform(text, text.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Acquire::http::Proxy "URL" or Acquire::http::Proxy::HOST "URL" (also https): keys "http" and
// "http::host". False for any other name.
bool set_proxy(std::string_view name, const std::string& value, MethodConfig& config) {
  for (const std::string scheme : {"http", "https"}) {
    const std::string prefix = "Acquire::" + scheme + "::Proxy";
    if (name.size() < prefix.size() || !iequals(name.substr(0, prefix.size()), prefix)) continue;
    const auto rest = name.substr(prefix.size());
    if (rest.empty()) {
      config.proxies[scheme] = value;
      return true;
    }
    if (rest.starts_with("::") && rest.size() > 2) {
      config.proxies[scheme + "::" + lower(std::string(rest.substr(2)))] = value;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string dequote(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

void apply_configuration(const Message& message, MethodConfig& config) {
  for (const auto& item : message.get_all("Config-Item")) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    const auto name = dequote(std::string_view(item).substr(0, eq));
    const auto value = dequote(std::string_view(item).substr(eq + 1));
    if (iequals(name, "Acquire::swarmcopy::Socket")) {
      if (!value.empty()) config.socket = value;
    } else if (iequals(name, "Acquire::swarmcopy::MinPeerFileSize")) {
      parse_number(value, config.min_peer_file_size);
    } else if (iequals(name, "Acquire::swarmcopy::StallTimeout")) {
      long seconds = config.stall_timeout.count();
      parse_number(value, seconds);
      if (seconds > 0) config.stall_timeout = std::chrono::seconds(seconds);
    } else if (iequals(name, "Acquire::swarmcopy::Timeout")) {
      long seconds = config.daemon_timeout.count();
      parse_number(value, seconds);
      if (seconds > 0) config.daemon_timeout = std::chrono::seconds(seconds);
    } else if (iequals(name, "Acquire::swarmcopy::Daemon")) {
      config.use_daemon = parse_bool(value, config.use_daemon);
    } else if (iequals(name, "Acquire::http::Timeout")) {
      long seconds = config.http_timeout.count();
      parse_number(value, seconds);
      if (seconds > 0) config.http_timeout = std::chrono::seconds(seconds);
    } else if (iequals(name, "Acquire::http::User-Agent")) {
      if (!value.empty()) config.user_agent = value;
    } else if (set_proxy(name, value, config)) {
    } else if (iequals(name, "Acquire::https::CaInfo")) {
      config.ca_info = value;
    } else if (iequals(name, "Acquire::https::Verify-Peer")) {
      config.verify_peer = parse_bool(value, config.verify_peer);
    } else if (iequals(name, "Acquire::https::Verify-Host")) {
      config.verify_host = parse_bool(value, config.verify_host);
    } else if (iequals(name, "APT::Sandbox::User")) {
      config.sandbox_user = value;
    } else if (iequals(name, "Debug::NoDropPrivs")) {
      config.no_drop_privs = parse_bool(value, config.no_drop_privs);
    } else if (iequals(name, "Debug::Acquire::swarmcopy")) {
      config.debug = parse_bool(value, config.debug);
    }
  }
}

std::optional<std::string> proxy_for(const MethodConfig& config, std::string_view url,
                                     const std::optional<std::string>& request_proxy) {
  const auto as_proxy = [](const std::string& value) -> std::optional<std::string> {
    if (value.empty()) return std::nullopt;
    if (iequals(value, "DIRECT")) return std::string();
    return value;
  };
  if (request_proxy) {
    if (auto p = as_proxy(*request_proxy)) return p;
  }
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  std::string scheme(url.substr(0, colon));
  auto authority = url.substr(colon + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string host(authority);
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') - 1);
  } else if (const auto port = host.find(':'); port != std::string::npos) {
    host.resize(port);
  }
  host = lower(host);
  if (auto it = config.proxies.find(scheme + "::" + host); it != config.proxies.end()) {
    if (auto p = as_proxy(it->second)) return p;
  }
  if (auto it = config.proxies.find(scheme); it != config.proxies.end()) {
    return as_proxy(it->second);
  }
  return std::nullopt;
}

}  // namespace swarmcopy::apt
