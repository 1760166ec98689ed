#include "site_refusal.h"

#include <fmt/format.h>

namespace swarmcopy::lab {

std::string site_refusal(const RunSettings& settings) {
  const bool group = settings.mode == "group";
  if (group && !settings.tracker) {
    return "--mode group needs --tracker: the group's peers meet at a tracker (opentracker in "
           "the origin's namespace)";
  }
  if (settings.tracker && !group) {
    return fmt::format("--tracker is for --mode group: {} peers announce to no tracker",
                       settings.mode);
  }
  if (group && settings.workload != "file") {
    return fmt::format(
        "--mode group is wired for --workload file only: the {} workload's swarmcopyd peers run "
        "in lan mode",
        settings.workload);
  }
  if (group && settings.liars > 0) {
    return "--liar does not apply to --mode group: the liars offer their claim at the lan "
           "rendezvous, which a group's machines never visit";
  }
  if (settings.vpn > 0) {
    if (settings.vpn > settings.peers) {
      return fmt::format("--vpn {} is more than the {} peers", settings.vpn, settings.peers);
    }
    if (settings.workload != "file") {
      return "--vpn is wired for --workload file only (each peer's own `swarmcopy get`)";
    }
    if (!peering_mode(settings.mode)) {
      return fmt::format("--vpn applies to peers that meet others (--mode lan or group), not {}",
                         settings.mode);
    }
  }
  return {};
}

}  // namespace swarmcopy::lab
