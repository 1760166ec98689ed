// NetworkLab: a LAN on one machine. One Linux bridge, and per add_namespace a network
// namespace joined to it by a veth pair, with loopback up, an address on the lab's subnet and a
// route for multicast (224.0.0.0/4) — without that route a namespace that has no default route
// cannot send or join multicast, and local service discovery (239.192.152.143:6771) finds
// nobody. run_in starts programs inside a namespace; shape() sets a link's speed and delay.
//
// With LabOptions::subnets K > 1 the lab is a site of K subnets: K bridges, one /24 each,
// joined by a router namespace ("<prefix>router", IPv4 forwarding on, no multicast routing:
// multicast stays in its subnet), and an uplink bridge behind the router for namespaces added
// with NamespaceOptions::uplink (the origin). Every namespace then has a default route via the
// router's address on its subnet. K = 1 builds exactly the one-bridge lab, with no router.
//
// Every name starts with the lab's prefix ("sc-3fa9c1-"), so two labs never collide and
// clean_leftovers() finds what a crashed lab left. close() — also run by the destructor —
// kills every process the lab started (their whole process groups, then anything else still
// inside its namespaces), deletes its namespaces, veths and bridge, and never throws.
//
// Uses `ip` and `tc` (iproute2) and needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN). Not
// thread-safe: one thread at a time, including the LabProcess handles it returns.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/harness/lab_namespace.h"
#include "swarmcopy/harness/lab_options.h"
#include "swarmcopy/harness/lab_process.h"
#include "swarmcopy/harness/lab_subnet.h"
#include "swarmcopy/harness/namespace_options.h"
#include "swarmcopy/harness/run_options.h"
#include "swarmcopy/harness/shaping.h"

namespace swarmcopy::harness {

class NetworkLab {
 public:
  // Creates the bridge (bridges and router) under a fresh id. Errors: not privileged
  // (check_privileges), a bad option, an `ip` command that failed (its stderr in the message).
  static api::Result<std::unique_ptr<NetworkLab>> create(LabOptions options = {});

  NetworkLab(const NetworkLab&) = delete;
  NetworkLab& operator=(const NetworkLab&) = delete;
  ~NetworkLab();

  const std::string& id() const { return id_; }          // "3fa9c1"
  const std::string& prefix() const { return prefix_; }  // "sc-3fa9c1-": every name made
  const std::string& bridge() const { return bridge_; }  // "sc-3fa9c1-br" (subnet 0's)
  const std::string& subnet() const { return subnet_; }  // "10.159.193.0/24" (subnet 0)
  // The site subnets, in order (one in a one-subnet lab), and the uplink (none without a
  // router).
  std::vector<LabSubnet> subnets() const;
  std::optional<LabSubnet> uplink() const;
  // The router's `ip netns` name ("sc-3fa9c1-router"); "" in a one-subnet lab.
  const std::string& router_netns() const { return router_netns_; }
  const std::filesystem::path& work_dir() const { return work_dir_; }
  const std::vector<LabNamespace>& namespaces() const { return namespaces_; }

  // A new namespace `name` ([A-Za-z0-9_.-], 1 to 32 characters, unique in the lab; not
  // "router" in a lab that has one), joined to the bridge `options` say, addressed and routed
  // as above. On error nothing of it is left.
  api::Result<LabNamespace> add_namespace(std::string_view name,
                                          const NamespaceOptions& options = {});
  api::Result<LabNamespace> find(std::string_view name) const;
  api::Result<std::string> address_of(std::string_view name) const;

  // Starts argv (argv[0] a path or a name looked up in $PATH) inside namespace `name`.
  // Errors: unknown namespace, output files that cannot be opened, a program that cannot be
  // executed (errno in code).
  api::Result<LabProcess> run_in(std::string_view name, const std::vector<std::string>& argv,
                                 const RunOptions& options = {});

  // Sets (replaces) the shaping of namespace `name`'s link; an empty Shaping removes it.
  // Errors: a rate tc would not understand, netem missing from the kernel (for latency), tc.
  api::Result<void> shape(std::string_view name, const Shaping& shaping);

  // Unplugs namespace `name` from the bridge (its veth down: packets to and from it are lost,
  // open connections stay open and go on when it is plugged back) or plugs it back in.
  api::Result<void> set_connected(std::string_view name, bool connected);

  // Tears everything down (see above); idempotent. The error, if any, lists what could not be
  // removed; everything else was removed anyway. The lab is unusable afterwards.
  api::Result<void> close() noexcept;
  bool closed() const { return closed_; }

 private:
  NetworkLab() = default;

  // One bridge and its subnet: a site subnet, or the uplink.
  struct Segment {
    LabSubnet subnet;
    std::uint32_t network = 0;  // the subnet's first address, host byte order
    int next_host = 2;
  };
  // network_lab_site.cpp: subnets 1..K-1 and the uplink, their bridges, and the router.
  api::Result<void> build_site(int subnets);
  api::Result<void> add_router();
  int site_subnets() const {
    return static_cast<int>(segments_.size()) - (router_netns_.empty() ? 0 : 1);
  }

  std::string id_;
  std::string prefix_;
  std::string bridge_;
  std::string subnet_;
  int prefix_length_ = 24;
  std::vector<Segment> segments_;  // the site subnets, then the uplink when there is a router
  std::string router_netns_;
  std::vector<std::string> router_links_;  // the router's veths' host ends
  int next_round_robin_ = 0;
  std::filesystem::path work_dir_;
  bool own_work_dir_ = false;
  bool closed_ = false;
  int next_veth_ = 0;
  int next_output_ = 0;
  std::vector<LabNamespace> namespaces_;
  std::vector<std::shared_ptr<LabProcess::State>> processes_;
};

}  // namespace swarmcopy::harness
