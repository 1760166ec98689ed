// The `ip` calls NetworkLab::close and clean_leftovers share: listing namespaces and links,
// killing what runs inside a namespace, deleting namespaces and links (already gone counts as
// done). Any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::harness {

// `ip netns list`: the names only.
api::Result<std::vector<std::string>> list_netns();
// `ip -o link show type KIND` in our namespace ("veth", "bridge"; "" for every kind): the
// names, without "@peer".
api::Result<std::vector<std::string>> list_links(std::string_view kind);
// SIGKILLs every process `ip netns pids` lists for `netns`; returns how many were signalled.
int kill_processes_in(const std::string& netns);
api::Result<void> delete_netns(const std::string& netns);
api::Result<void> delete_link(const std::string& link);

// Names the lab builds from its callers' words: [A-Za-z0-9_.-] only, nothing `ip` would read
// as an option or a path.
bool is_safe_name(std::string_view name);

}  // namespace swarmcopy::harness
