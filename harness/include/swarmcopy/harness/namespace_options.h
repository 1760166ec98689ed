// NamespaceOptions: where NetworkLab::add_namespace puts a namespace and what its link is
// called. Plain value type: any thread.
#pragma once

#include <string>

namespace swarmcopy::harness {

struct NamespaceOptions {
  static constexpr int kRoundRobin = -1;
  // The site subnet it joins (0 to LabOptions::subnets - 1); kRoundRobin: the next in turn
  // among the namespaces placed that way (subnet 0, 1, ..., K-1, 0, ...).
  int subnet = kRoundRobin;
  // Behind the router, on the uplink (a lab of several subnets only): where a site's origin
  // is. `subnet` is then ignored.
  bool uplink = false;
  // The name of its end of the veth pair inside the namespace ([A-Za-z0-9_.-], at most 15
  // characters, not "lo"). "tun0" or "wg0" makes a link that software which tells VPNs by
  // their interface names (swarmcopy's vpn_interfaces: tun* wg* ppp* tap*) takes for one.
  std::string interface = "eth0";
};

}  // namespace swarmcopy::harness
