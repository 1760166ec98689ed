#include "swarmcopy/harness/clean_leftovers.h"

#include "netns_ops.h"
#include "swarmcopy/harness/privileges.h"

namespace swarmcopy::harness {

api::Result<std::vector<std::string>> clean_leftovers(std::string_view prefix) {
  if (prefix.size() < 2 || prefix.back() != '-' || !is_safe_name(prefix)) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                     "bad prefix \"" + std::string(prefix) +
                         "\": want at least 2 characters of [A-Za-z0-9_.-] ending in '-'");
  }
  if (auto allowed = check_privileges(); !allowed) return std::unexpected(allowed.error());

  std::vector<std::string> removed;
  std::string problems;
  auto note = [&](const std::string& problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
  };
  auto namespaces = list_netns();
  if (!namespaces) return std::unexpected(namespaces.error());
  for (const auto& netns : *namespaces) {
    if (!netns.starts_with(prefix)) continue;
    // Killed first: a namespace with a process inside outlives `ip netns delete`, and its veth
    // with it.
    kill_processes_in(netns);
    if (auto deleted = delete_netns(netns); deleted) {
      removed.push_back(netns);
    } else {
      note(deleted.error().message);
    }
  }
  // Only the kinds a lab makes: a physical or tunnel interface is never ours, whatever its name.
  for (const char* kind : {"veth", "bridge"}) {
    auto links = list_links(kind);
    if (!links) {
      note(links.error().message);
      continue;
    }
    for (const auto& link : *links) {
      if (!link.starts_with(prefix)) continue;
      auto deleted = delete_link(link);
      if (deleted) {
        removed.push_back(link);
      } else {
        note(deleted.error().message);
      }
    }
  }
  if (!problems.empty()) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     "clean_leftovers " + std::string(prefix) + ": " + problems);
  }
  return removed;
}

api::Result<std::vector<std::string>> find_leftovers(std::string_view prefix) {
  std::vector<std::string> found;
  auto namespaces = list_netns();
  if (!namespaces) return std::unexpected(namespaces.error());
  for (const auto& netns : *namespaces) {
    if (netns.starts_with(prefix)) found.push_back("netns " + netns);
  }
  auto links = list_links("");
  if (!links) return std::unexpected(links.error());
  for (const auto& link : *links) {
    if (link.starts_with(prefix)) found.push_back("link " + link);
  }
  return found;
}

}  // namespace swarmcopy::harness
