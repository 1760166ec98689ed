#include "workload_refusal.h"

#include <fmt/format.h>

namespace swarmcopy::lab {

std::string workload_refusal(const RunSettings& settings) {
  if (settings.workload == "file") return {};
  const std::string& workload = settings.workload;
  if (settings.mode == "http-only") {
    return fmt::format(
        "--workload {} has modes lan (through each peer's swarmcopyd) and curl (the baseline: "
        "{}), not http-only",
        workload, workload == "apt" ? "plain apt" : "skopeo straight from the registry");
  }
  // Options that steer the file workload's `swarmcopy get`: here the jobs are made by apt's
  // method or the registry mirror, which choose their priority and identity themselves.
  const auto refuse = [&](const char* option, const char* why) {
    return fmt::format("--workload {}: {} does not apply: {}", workload, option, why);
  };
  if (settings.liars > 0)
    return refuse("--liar", "the liars claim the file workload's file, no package or layer");
  const std::string downloader = workload == "apt" ? "apt-get" : "skopeo";
  if (settings.churn > 0) {
    return fmt::format(
        "--workload {}: --churn does not apply: killing {} leaves the peer's swarmcopyd "
        "downloading on its behalf, so nothing of the peer goes away",
        workload, downloader);
  }
  if (settings.priority != "foreground") {
    return refuse("--priority", workload == "apt"
                                    ? "apt's method makes its jobs foreground (apt waits)"
                                    : "the registry mirror makes its blob jobs high (peers first)");
  }
  return {};
}

}  // namespace swarmcopy::lab
