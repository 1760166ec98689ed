// NetworkLab's site of several subnets: the bridges after the first, the uplink, the router.
#include "site_links.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::harness {
namespace {

// The /24 `offset` places after `first` with A.B kept: a lab's default 10.X.Y.0/24 stays in
// 10.X.0.0/16, so neither 11.0.0.0 nor anything outside 10/8 is ever used.
std::uint32_t nth_subnet(std::uint32_t first, int offset) {
  const std::uint32_t third = ((first >> 8) + static_cast<std::uint32_t>(offset)) & 0xff;
  return (first & 0xffff0000u) | (third << 8);
}

}  // namespace

std::vector<LabSubnet> NetworkLab::subnets() const {
  std::vector<LabSubnet> site;
  for (int index = 0; index < site_subnets(); ++index) {
    site.push_back(segments_[static_cast<size_t>(index)].subnet);
  }
  return site;
}

std::optional<LabSubnet> NetworkLab::uplink() const {
  if (router_netns_.empty()) return std::nullopt;
  return segments_.back().subnet;
}

api::Result<void> NetworkLab::build_site(int subnets) {
  if (subnets == 1) return {};  // the one-bridge lab: no router, nothing more
  const std::uint32_t first = segments_.front().network;
  // Subnets 1..K-1, then the uplink as subnet K's /24. Each segment is recorded before its
  // bridge is made, so that close() removes whatever exists when a later step fails.
  for (int index = 1; index <= subnets; ++index) {
    const bool uplink = index == subnets;
    const std::uint32_t network = nth_subnet(first, index);
    const std::string bridge = prefix_ + (uplink ? "bru" : "br" + std::to_string(index));
    segments_.push_back(
        Segment{LabSubnet{uplink ? -1 : index, ipv4_text(network) + "/24", bridge, ""}, network});
    if (auto made = make_bridge(bridge); !made) return std::unexpected(made.error());
  }
  return add_router();
}

// The router: one leg on every bridge, .1 on each subnet, forwarding between them. No
// multicast routing daemon and no mroute table entries: the kernel forwards no multicast, so a
// subnet's LSD announcements stay in it, as behind a real site's router.
api::Result<void> NetworkLab::add_router() {
  router_netns_ = prefix_ + "router";
  for (const auto& step :
       {std::vector<std::string>{"ip", "netns", "add", router_netns_},
        std::vector<std::string>{"ip", "-n", router_netns_, "link", "set", "lo", "up"}}) {
    if (auto done = run_checked(step); !done) return std::unexpected(done.error());
  }
  if (auto forwarding = enable_ipv4_forwarding(router_netns_); !forwarding) {
    return std::unexpected(forwarding.error());
  }
  for (size_t index = 0; index < segments_.size(); ++index) {
    Segment& segment = segments_[index];
    const std::string host_end = prefix_ + "r" + std::to_string(index);
    const std::string inside = "eth" + std::to_string(index);
    segment.subnet.router_address = ipv4_text(segment.network + 1);
    router_links_.push_back(host_end);
    const std::vector<std::vector<std::string>> steps{
        {"ip", "link", "add", host_end, "type", "veth", "peer", "name", inside, "netns",
         router_netns_},
        {"ip", "link", "set", host_end, "master", segment.subnet.bridge, "up"},
        {"ip", "-n", router_netns_, "addr", "add", segment.subnet.router_address + "/24", "dev",
         inside},
        {"ip", "-n", router_netns_, "link", "set", inside, "up"},
    };
    for (const auto& step : steps) {
      if (auto done = run_checked(step); !done) return std::unexpected(done.error());
    }
  }
  return {};
}

}  // namespace swarmcopy::harness
