// The pieces NetworkLab builds a site of several subnets from: a bridge like the first one,
// IPv4 forwarding inside the router's namespace, and addresses as text. The thread that owns
// the lab (enable_ipv4_forwarding starts and joins a thread of its own).
#pragma once

#include <cstdint>
#include <string>

#include "swarmcopy/api/error.h"

namespace swarmcopy::harness {

// "10.159.193.1" for an address in host byte order.
std::string ipv4_text(std::uint32_t address);

// `ip link add NAME type bridge mcast_snooping 0 forward_delay 0`, then up: a small unmanaged
// switch that floods multicast to every port (see README "Bridge with mcast_snooping 0").
api::Result<void> make_bridge(const std::string& name);

// net.ipv4.ip_forward = 1 inside namespace `netns` (its /run/netns name).
api::Result<void> enable_ipv4_forwarding(const std::string& netns);

}  // namespace swarmcopy::harness
