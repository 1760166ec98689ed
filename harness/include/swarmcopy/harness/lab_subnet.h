// LabSubnet: one IPv4 subnet of a NetworkLab — a bridge and, in a lab of several subnets, the
// router's address on it (the gateway of every namespace there). Plain value type: any thread.
#pragma once

#include <string>

namespace swarmcopy::harness {

struct LabSubnet {
  int index = 0;               // 0..K-1 for the site subnets; -1 for the uplink
  std::string cidr;            // "10.159.193.0/24"
  std::string bridge;          // "sc-3fa9c1-br", "sc-3fa9c1-br1", ...; the uplink "sc-3fa9c1-bru"
  std::string router_address;  // ".1" of the subnet; "" in a lab of one subnet (no router)
};

}  // namespace swarmcopy::harness
