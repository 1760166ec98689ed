// LabNamespace: one network namespace of a NetworkLab, as its users need to name it: its
// short name, the kernel's name for it, its address and the interfaces of its veth pair.
// Plain value type: any thread.
#pragma once

#include <string>

namespace swarmcopy::harness {

struct LabNamespace {
  std::string name;        // as given to add_namespace ("peer1")
  std::string netns;       // `ip netns` name: the lab's prefix + name ("sc-3fa9c1-peer1")
  std::string address;     // IPv4 address inside the namespace ("10.159.193.2")
  int prefix_length = 24;  // of the lab's subnet
  std::string interface;   // the namespace's end of the veth pair ("eth0")
  std::string host_veth;   // the bridge's end, in the host namespace ("sc-3fa9c1-h0")
};

}  // namespace swarmcopy::harness
