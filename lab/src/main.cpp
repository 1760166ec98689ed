// swarmcopy-lab: the LAN on one machine (see lab/README.md). `run` builds a lab, downloads one
// file with N peers and reports origin egress and finish times; `clean` removes what a crashed
// run left behind.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "lab_run.h"
#include "swarmcopy/harness/clean_leftovers.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"
#include "units.h"

namespace {

namespace fs = std::filesystem;
using namespace swarmcopy;

constexpr int kExitUsage = 1;

// Root first, with a sentence a person can act on.
bool privileged() {
  if (::geteuid() != 0) {
    fmt::print(stderr,
               "swarmcopy-lab: needs root: it creates network namespaces, veth pairs, a bridge "
               "and tc qdiscs (run it with sudo)\n");
    return false;
  }
  if (auto allowed = harness::check_privileges(); !allowed) {
    fmt::print(stderr, "swarmcopy-lab: {}\n", allowed.error().message);
    return false;
  }
  return true;
}

// The swarmcopy binary beside ours (build/bin/), else the one in $PATH.
std::string default_swarmcopy() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path beside = self.parent_path() / "swarmcopy";
    if (::access(beside.c_str(), X_OK) == 0) return beside.string();
  }
  auto found = harness::find_program("swarmcopy");
  return found ? *found : std::string();
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_logger_mt("swarmcopy-lab");
  logger->set_pattern("swarmcopy-lab: %v");
  spdlog::set_default_logger(logger);

  CLI::App app{
      "swarmcopy-lab: a LAN on one machine — an nginx origin and N peers in network "
      "namespaces — to measure origin egress and finish times. Needs root."};
  app.require_subcommand(1);

  lab::RunSettings settings;
  std::string size_text;
  std::string swarmcopy_path;
  int timeout_seconds = 600;
  bool quiet = false;
  auto* run = app.add_subcommand("run", "One run: N peers download one generated file together");
  run->add_option("--peers", settings.peers, "Number of peer namespaces (1 to 250)")
      ->required()
      ->check(CLI::Range(1, 250));
  run->add_option("--size", size_text, "File size, binary units: 64M = 64 MiB, 1G = 1 GiB")
      ->required()
      ->type_name("SIZE");
  run->add_option("--mode", settings.mode,
                  "lan: swarmcopy get with local service discovery (default); curl: the baseline, "
                  "every peer fetches from the origin alone")
      ->check(CLI::IsMember({"lan", "curl"}));
  run->add_option("--origin-rate", settings.origin_rate,
                  "Shape the origin's link (tc syntax: 100mbit = 10^8 bit/s, 1gbit, 10mbps)")
      ->type_name("RATE");
  run->add_flag("--json", settings.json, "Print one JSON object instead of the table");
  run->add_option("--swarmcopy", swarmcopy_path,
                  "The swarmcopy binary (default: beside swarmcopy-lab, else $PATH)")
      ->type_name("PATH");
  run->add_option("--timeout", timeout_seconds,
                  "Give up when the peers have not all finished after this many seconds")
      ->check(CLI::Range(1, 86400));
  run->add_flag("--keep", settings.keep, "Keep the lab's work directory (logs, files) afterwards");
  run->add_flag("-q,--quiet", quiet, "No progress notes on stderr");

  auto* clean = app.add_subcommand(
      "clean", fmt::format("Remove namespaces, links and processes that a crashed run left "
                           "(everything named {}*)",
                           lab::kLabPrefix));

  CLI11_PARSE(app, argc, argv);
  if (quiet) spdlog::set_level(spdlog::level::warn);

  if (*clean) {
    if (!privileged()) return kExitUsage;
    auto removed = harness::clean_leftovers(lab::kLabPrefix);
    if (!removed) {
      fmt::print(stderr, "swarmcopy-lab: clean: {}\n", removed.error().message);
      return 2;
    }
    if (removed->empty()) fmt::print("nothing to remove\n");
    for (const auto& name : *removed) fmt::print("removed {}\n", name);
    return 0;
  }

  const auto size = lab::parse_size(size_text);
  if (!size) {
    fmt::print(stderr, "swarmcopy-lab: --size: not a size in binary units (64M, 1G): '{}'\n",
               size_text);
    return kExitUsage;
  }
  settings.size = *size;
  if (!settings.origin_rate.empty()) {
    const auto bits = lab::parse_tc_rate(settings.origin_rate);
    if (!bits) {
      fmt::print(stderr, "swarmcopy-lab: --origin-rate: not a tc rate (100mbit, 1gbit): '{}'\n",
                 settings.origin_rate);
      return kExitUsage;
    }
    settings.origin_rate_bits = *bits;
  }
  settings.timeout = std::chrono::seconds(timeout_seconds);
  if (!privileged()) return kExitUsage;
  if (settings.mode == "lan") {
    settings.swarmcopy = swarmcopy_path.empty() ? default_swarmcopy() : swarmcopy_path;
    if (settings.swarmcopy.empty() || ::access(settings.swarmcopy.c_str(), X_OK) != 0) {
      fmt::print(stderr, "swarmcopy-lab: no swarmcopy binary{}: give --swarmcopy PATH\n",
                 settings.swarmcopy.empty() ? "" : " at " + settings.swarmcopy.string());
      return kExitUsage;
    }
  }
  lab::install_stop_handler();
  return lab::run_lab(settings);
}
