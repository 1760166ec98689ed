// `swarmcopy-lab run`: one run of the lab. Builds a NetworkLab with an nginx origin serving a
// generated, published file and N peer namespaces, starts N downloaders together (`swarmcopy
// get --mode lan`, or `curl` for the baseline), waits for all of them (bounded), measures, and
// removes everything it made — on success, on failure and when stop is requested (SIGINT,
// SIGTERM: see install_stop_handler). One thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace swarmcopy::lab {

// Every name a lab of swarmcopy-lab makes starts with this ("scl-3fa9c1-..."): not "sc-", so
// that `swarmcopy-lab clean` never removes the integration tests' labs.
inline constexpr const char* kLabPrefix = "scl-";

struct RunSettings {
  int peers = 0;
  std::uint64_t size = 0;
  std::string mode = "lan";     // lan | curl
  std::string origin_rate;      // tc syntax; empty: unshaped
  double origin_rate_bits = 0;  // parsed origin_rate, 0 when unshaped
  bool json = false;
  std::filesystem::path swarmcopy;  // the `swarmcopy` binary (lan mode)
  std::chrono::seconds timeout{600};
  bool keep = false;  // leave the lab's work directory (logs) in place
};

// SIGINT and SIGTERM set a flag that run_lab's loops check; the lab is then closed as on any
// failure and run_lab returns 130.
void install_stop_handler();

// Exit code: 0 every peer finished with the right SHA-256, 2 a failure (said on stderr), 130
// stopped by a signal.
int run_lab(const RunSettings& settings);

}  // namespace swarmcopy::lab
