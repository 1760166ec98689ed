// Where the machine's group comes from (swarmcopyd.conf group_id_source; Delivery
// Optimization's DOGroupIdSource): `explicit` (group_id as written) or `dns-domain` (the host's
// DNS domain, so that every machine of one domain is one group without a per-machine setting).
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace swarmcopy::daemon {

// The domain of a fully qualified host name ("pc7.floor2.corp.example" -> "floor2.corp.example");
// empty for a name without a dot.
std::string domain_of_host_name(std::string_view fqdn);

// resolv.conf's `domain`, else the first name of its `search` line (the last of each kind wins,
// as the resolver reads it); empty when neither is there.
std::string domain_of_resolv_conf(std::string_view text);

// The group for `source` ("explicit": `group_id` itself; "dns-domain": this host's domain, from
// its canonical name, else /etc/resolv.conf), or a sentence saying why there is none.
std::expected<std::string, std::string> resolve_group_id(const std::string& source,
                                                         const std::string& group_id);

}  // namespace swarmcopy::daemon
