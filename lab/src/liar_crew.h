// The liars of `run --liar K`: one `swarmcopy-lab liar` in each of the namespaces liar1..liarK,
// started before the first round (each offers its claim before any peer asks) and stopped
// after the last; what each uploaded goes into the report.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmcopy/harness/lab_process.h"
#include "swarmcopy/harness/network_lab.h"

namespace swarmcopy::lab {

class LiarCrew {
 public:
  // Adds the namespaces (before the lab's links are shaped: liars are on the LAN, unshaped).
  static std::expected<LiarCrew, std::string> add_namespaces(harness::NetworkLab& lab, int count);

  // Starts every liar and waits (up to 60 s each) until it offers its claim.
  std::expected<void, std::string> start(harness::NetworkLab& lab, const std::string& sha256,
                                         std::uint64_t size);

  // Stops them; [{"name", "uploaded", "peers"}] (null figures for one that said nothing).
  nlohmann::json stop();

 private:
  struct Liar {
    std::string name;
    std::optional<harness::LabProcess> process;
  };
  std::vector<Liar> liars_;
};

}  // namespace swarmcopy::lab
