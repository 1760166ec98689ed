// ProxySettings: how a job's requests reach the origin (BITS SetProxySettings /
// GetProxySettings). Every request of the job uses it: the probe, the ranges, the metadata.
// Plain value type; the functions are pure, any thread.
//
// - kSystem (BITS_PROXY_USAGE_PRECONFIG, the default): the engine's configured proxy
//   (swarmcopyd.conf `proxy` / `no_proxy`) when it has one, else libcurl's environment
//   handling (http_proxy, https_proxy, all_proxy, no_proxy).
// - kNone (BITS_PROXY_USAGE_NO_PROXY): direct connections, environment variables ignored.
// - kOverride (BITS_PROXY_USAGE_OVERRIDE): `proxy`, except for the hosts in `bypass`; the
//   environment is ignored. BITS takes a list of proxies; libcurl uses one per request, so
//   this takes exactly one URL and refuses a list rather than silently using its first.
//
// A proxy URL may carry credentials ("http://user:pass@proxy:3128"); mask_proxy_url()
// (credentials.h) hides them wherever a job is shown.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::api {

enum class ProxyUsage { kSystem, kNone, kOverride };

struct ProxySettings {
  ProxyUsage usage = ProxyUsage::kSystem;
  std::string proxy;                // kOverride only: "scheme://[user:pass@]host[:port]"
  std::vector<std::string> bypass;  // kOverride only: hosts, domains or IP addresses
  bool operator==(const ProxySettings&) const = default;
};

// "system", "none", "override": part of the JSON / IPC contract.
std::string_view to_string(ProxyUsage usage);
std::optional<ProxyUsage> parse_proxy_usage(std::string_view text);

// One proxy URL: scheme http, https, socks5 or socks5h; a host; no whitespace, control
// character or list separator (',' ';'); at most 2048 bytes.
Result<void> check_proxy_url(std::string_view url);
// One bypass entry, as libcurl's no-proxy list takes it: a host name, a domain (".example.org"
// or "example.org", which covers its subdomains), an IP address or a CIDR range; or "*"
// (everything goes direct).
Result<void> check_proxy_bypass(std::string_view host);
// The whole setting: kOverride needs a valid proxy; the others take neither proxy nor bypass;
// at most 256 bypass entries.
Result<void> check_proxy_settings(const ProxySettings& settings);

// The setting in the words `job show` and `--proxy` use: "system", "none", or the URL
// (masked, see mask_proxy_url).
std::string describe(const ProxySettings& settings);

}  // namespace swarmcopy::api
