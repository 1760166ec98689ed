// The "no peering over VPN" rule (Delivery Optimization disables peering while a VPN is
// connected; its DOVpnKeywords): a file does not use peers while a network interface whose name
// matches one of the patterns is up. Any thread (reads the interface list each time).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace swarmcopy::engine {

// The name of an interface that is up and matches a pattern (shell wildcards, as fnmatch reads
// them; EngineOptions' defaults: tun*, wg*, ppp*, tap*); none: no such interface (or the
// list cannot be read: the rule then never blocks, and says so in the log).
std::optional<std::string> vpn_interface_up(const std::vector<std::string>& patterns);

}  // namespace swarmcopy::engine
