// LabOptions: how NetworkLab::create builds a lab. Plain value type: any thread.
#pragma once

#include <filesystem>
#include <string>

namespace swarmcopy::harness {

struct LabOptions {
  // Every name the lab makes starts with prefix + a fresh 6-hex-digit id + '-' (for example
  // "sc-3fa9c1-"), which is what clean_leftovers(prefix) looks for after a crash. At most 4
  // characters, ending in '-', so that "sc-3fa9c1-h253" still fits Linux's 15-character limit
  // on interface names.
  std::string prefix = "sc-";
  // IPv4 subnet for the namespaces, "A.B.C.0/24" (prefix length 16 to 29). Empty: 10.X.Y.0/24
  // with X and Y taken from the lab's id, so two labs at once use different subnets. The bridge
  // has no address on the host: .1 stays free for it; namespaces get .2, .3, ...
  std::string subnet;
  // How many site subnets (1 to 16). 1: one bridge, no router — the LAN of every lab so far.
  // K > 1: K bridges, one /24 each (consecutive /24s from `subnet`, which must then be a /24),
  // joined by a router namespace that forwards unicast and no multicast (there is no multicast
  // routing), so local service discovery stays inside its subnet; and one more /24, the
  // uplink: a bridge of its own where namespaces added with NamespaceOptions::uplink sit
  // behind the router, as a site's origin does.
  int subnets = 1;
  // Where run_in writes captured output unless RunOptions names files. Empty: a fresh
  // directory under the system temporary directory, removed by close(); a directory given here
  // is created if needed and left in place.
  std::filesystem::path work_dir;
};

}  // namespace swarmcopy::harness
