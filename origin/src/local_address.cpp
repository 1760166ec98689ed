#include "local_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstring>
#include <memory>
#include <string>

namespace swarmcopy::engine::origin {
namespace {

bool is_loopback_or_unspecified_v4(const in_addr& address) {
  const auto first_octet = static_cast<unsigned char>(ntohl(address.s_addr) >> 24);
  return first_octet == 127 || first_octet == 0;
}

bool is_interface_address(const sockaddr* wanted) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return false;
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, &::freeifaddrs);
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    const sockaddr* have = entry->ifa_addr;
    if (have == nullptr || have->sa_family != wanted->sa_family) continue;
    if (have->sa_family == AF_INET &&
        reinterpret_cast<const sockaddr_in*>(have)->sin_addr.s_addr ==
            reinterpret_cast<const sockaddr_in*>(wanted)->sin_addr.s_addr) {
      return true;
    }
    if (have->sa_family == AF_INET6 &&
        std::memcmp(&reinterpret_cast<const sockaddr_in6*>(have)->sin6_addr,
                    &reinterpret_cast<const sockaddr_in6*>(wanted)->sin6_addr,
                    sizeof(in6_addr)) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_local_address(std::string_view address) {
  const std::string text(address);
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  if (::inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    return is_loopback_or_unspecified_v4(v4.sin_addr) ||
           is_interface_address(reinterpret_cast<const sockaddr*>(&v4));
  }
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  // A scope ("fe80::1%eth0") is not part of the address.
  const std::string without_scope = text.substr(0, text.find('%'));
  if (::inet_pton(AF_INET6, without_scope.c_str(), &v6.sin6_addr) != 1) return true;
  if (IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&v6.sin6_addr)) return true;
  if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr) || IN6_IS_ADDR_V4COMPAT(&v6.sin6_addr)) {
    in_addr mapped{};
    std::memcpy(&mapped, &v6.sin6_addr.s6_addr[12], sizeof(mapped));
    sockaddr_in as_v4{};
    as_v4.sin_family = AF_INET;
    as_v4.sin_addr = mapped;
    return is_loopback_or_unspecified_v4(mapped) ||
           is_interface_address(reinterpret_cast<const sockaddr*>(&as_v4));
  }
  return is_interface_address(reinterpret_cast<const sockaddr*>(&v6));
}

}  // namespace swarmcopy::engine::origin
