#include "vpn_interfaces.h"

#include <fnmatch.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace swarmcopy::engine {

std::optional<std::string> vpn_interface_up(const std::vector<std::string>& patterns) {
  if (patterns.empty()) return std::nullopt;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    spdlog::warn("cannot list the network interfaces ({}): the VPN rule is not applied",
                 std::strerror(errno));
    return std::nullopt;
  }
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, &::freeifaddrs);
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_name == nullptr || (entry->ifa_flags & IFF_UP) == 0) continue;
    for (const auto& pattern : patterns) {
      if (::fnmatch(pattern.c_str(), entry->ifa_name, 0) == 0) return std::string(entry->ifa_name);
    }
  }
  return std::nullopt;
}

}  // namespace swarmcopy::engine
