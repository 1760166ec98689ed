#include "swarmcopy/harness/privileges.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>

#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::harness {
namespace {

constexpr int kCapNetAdmin = 12;
constexpr int kCapSysAdmin = 21;  // mounting /run/netns/NAME, setns into it

// The effective capability set from /proc/self/status, or 0 when it cannot be read.
std::uint64_t effective_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("CapEff:")) {
      std::uint64_t caps = 0;
      const size_t start = line.find_first_not_of(" \t", 7);
      if (start == std::string::npos) return 0;
      std::from_chars(line.data() + start, line.data() + line.size(), caps, 16);
      return caps;
    }
  }
  return 0;
}

}  // namespace

api::Result<void> check_privileges() {
  const std::uint64_t caps = effective_capabilities();
  const bool net_admin = (caps >> kCapNetAdmin) & 1;
  const bool sys_admin = (caps >> kCapSysAdmin) & 1;
  if (!net_admin || !sys_admin) {
    std::string message = "network namespaces need root (CAP_NET_ADMIN)";
    if (::geteuid() == 0) message += "; this root process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN";
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kUnavailable, message, EPERM);
  }
  auto ip = find_program("ip");
  if (!ip) return std::unexpected(ip.error());
  return {};
}

}  // namespace swarmcopy::harness
