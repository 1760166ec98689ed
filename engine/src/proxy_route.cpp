#include "proxy_route.h"

namespace swarmcopy::engine {
namespace {

std::string join(const std::vector<std::string>& hosts) {
  std::string out;
  for (const auto& host : hosts) {
    if (!out.empty()) out += ',';
    out += host;
  }
  return out;
}

}  // namespace

ProxyRoute proxy_route(const api::ProxySettings& job, const std::string& engine_proxy,
                       const std::vector<std::string>& engine_no_proxy) {
  switch (job.usage) {
    case api::ProxyUsage::kNone:
      // "" alone already disables every proxy; "*" keeps it so should a proxy come from
      // anywhere else.
      return ProxyRoute{std::string(), std::string("*")};
    case api::ProxyUsage::kOverride:
      // An empty bypass list is set too: the environment's no_proxy must not undo the job's
      // choice.
      return ProxyRoute{job.proxy, join(job.bypass)};
    case api::ProxyUsage::kSystem:
      break;
  }
  if (!engine_proxy.empty()) return ProxyRoute{engine_proxy, join(engine_no_proxy)};
  if (!engine_no_proxy.empty()) return ProxyRoute{std::nullopt, join(engine_no_proxy)};
  return ProxyRoute{};
}

}  // namespace swarmcopy::engine
