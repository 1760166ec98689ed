#include "site_links.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::harness {

std::string ipv4_text(std::uint32_t address) {
  in_addr raw{htonl(address)};
  std::array<char, INET_ADDRSTRLEN> text{};
  ::inet_ntop(AF_INET, &raw, text.data(), text.size());
  return text.data();
}

api::Result<void> make_bridge(const std::string& name) {
  for (const auto& step : {std::vector<std::string>{"ip", "link", "add", name, "type", "bridge",
                                                    "mcast_snooping", "0", "forward_delay", "0"},
                           std::vector<std::string>{"ip", "link", "set", name, "up"}}) {
    if (auto done = run_checked(step); !done) return std::unexpected(done.error());
  }
  return {};
}

api::Result<void> enable_ipv4_forwarding(const std::string& netns) {
  // /proc/sys/net shows the network namespace of the thread that opens it. A thread of ours
  // joins the namespace for one write and ends, so this process stays where it was and needs
  // neither `ip netns exec` (which also remounts /sys) nor sysctl(8).
  const std::string netns_path = "/run/netns/" + netns;
  std::string failure;
  int error_number = 0;
  std::thread writer([&] {
    util::UniqueFd target(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!target || ::setns(target.get(), CLONE_NEWNET) != 0) {
      error_number = errno;
      failure = "join " + netns_path;
      return;
    }
    util::UniqueFd knob(::open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC));
    if (!knob || ::write(knob.get(), "1\n", 2) != 2) {
      error_number = errno;
      failure = "write /proc/sys/net/ipv4/ip_forward in " + netns;
    }
  });
  writer.join();
  if (failure.empty()) return {};
  return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                   failure + ": " + std::strerror(error_number), error_number, netns_path,
                   api::Protocol::kLocal);
}

}  // namespace swarmcopy::harness
