// Whether an address the HTTP client connected to is this machine: loopback (127.0.0.0/8,
// ::1, and IPv4 loopback mapped into IPv6), unspecified (0.0.0.0/8 and ::, which connect to
// the local host), or an address of one of this host's interfaces. A daemon running as root
// fetches for every local user; letting any of them point it at a local service would bypass
// firewall rules that match on the user (iptables' owner match). Pure except for getifaddrs();
// any thread.
#pragma once

#include <string_view>

namespace swarmcopy::engine::origin {

// `address` is numeric text as libcurl reports it (CURLINFO_PRIMARY_IP). Unparseable: true
// (refused rather than guessed).
bool is_local_address(std::string_view address);

}  // namespace swarmcopy::engine::origin
