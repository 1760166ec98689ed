// proxy_route: what a job's proxy setting (api::ProxySettings) means for its requests, given
// the engine's own default (EngineOptions::proxy / no_proxy): the CURLOPT_PROXY and
// CURLOPT_NOPROXY values origin::RequestOptions carries. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/proxy_settings.h"

namespace swarmcopy::engine {

struct ProxyRoute {
  std::optional<std::string> proxy;     // nullopt: the environment decides; "": none
  std::optional<std::string> no_proxy;  // nullopt: the environment decides
  bool operator==(const ProxyRoute&) const = default;
};

// kSystem: the engine's proxy when it has one (its no_proxy list with it, the environment
// ignored), else the environment (with the engine's no_proxy list if it has one). kNone:
// direct, whatever the environment says. kOverride: the job's proxy and bypass list only.
ProxyRoute proxy_route(const api::ProxySettings& job, const std::string& engine_proxy,
                       const std::vector<std::string>& engine_no_proxy);

}  // namespace swarmcopy::engine
