// LabNamespace: one network namespace of a NetworkLab, as its users need to name it: its
// short name, the kernel's name for it, its address, the interfaces of its veth pair and
// where it sits when the lab has several subnets.
// Plain value type: any thread.
#pragma once

#include <string>

namespace swarmcopy::harness {

struct LabNamespace {
  std::string name;        // as given to add_namespace ("peer1")
  std::string netns;       // `ip netns` name: the lab's prefix + name ("sc-3fa9c1-peer1")
  std::string address;     // IPv4 address inside the namespace ("10.159.193.2")
  int prefix_length = 24;  // of the lab's subnet
  std::string interface;   // the namespace's end of the veth pair ("eth0", or as asked)
  std::string host_veth;   // the bridge's end, in the host namespace ("sc-3fa9c1-h0")
  int subnet = 0;          // its site subnet's index (NetworkLab::subnets()); -1: the uplink
  std::string gateway;     // its default route: the router's address; "" without a router
};

}  // namespace swarmcopy::harness
