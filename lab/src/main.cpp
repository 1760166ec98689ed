// swarmcopy-lab: the LAN on one machine (see lab/README.md). `run` builds a lab, downloads one
// file with N peers as a scenario says and reports origin egress and finish times; `sweep`
// runs that for several modes and peer counts and writes a comparison report; `clean`
// removes what a crashed run left behind.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "lab_run.h"
#include "lab_sweep.h"
#include "liar.h"
#include "site_refusal.h"
#include "stop_signal.h"
#include "swarmcopy/harness/clean_leftovers.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"
#include "units.h"
#include "workload_refusal.h"

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

// The command-line words of a run's scenario, parsed once CLI11 is done.
struct ScenarioText {
  std::string size;
  std::string outage;
  std::string swarmcopy;
  int timeout_seconds = 600;
  bool quiet = false;
  // --publish / --no-publish as given; neither: the workload's default (file publishes; apt and
  // oci are a plain mirror and registry, as a site has them).
  std::optional<bool> publish;
};

// Options `run` and `sweep` share: everything but the peer count, the mode and the output.
void add_scenario_options(CLI::App& command, lab::RunSettings& settings, ScenarioText& text) {
  command
      .add_option("--workload", settings.workload,
                  "What the peers fetch: file (one file, swarmcopy get; the default), apt (a "
                  "package: apt-get through each peer's swarmcopyd; curl mode: plain apt), oci (an "
                  "image: skopeo through each peer's registry mirror; curl mode: from the "
                  "registry)")
      ->check(CLI::IsMember({"file", "apt", "oci"}));
  command
      .add_option("--size", text.size,
                  "File size, binary units: 64M = 64 MiB, 1G = 1 GiB (apt: the package's payload; "
                  "oci: the image's two layers together)")
      ->required()
      ->type_name("SIZE");
  command
      .add_option("--origin-rate", settings.origin_rate,
                  "Shape the origin's link (tc syntax: 100mbit = 10^8 bit/s, 1gbit, 10mbps)")
      ->type_name("RATE");
  command.add_option("--lan-rate", settings.lan_rate, "Shape every peer's link (tc syntax)")
      ->type_name("RATE");
  command
      .add_option("--latency", settings.latency_ms,
                  "One-way delay on every link, milliseconds (needs the kernel's sch_netem)")
      ->type_name("MS")
      ->check(CLI::Range(0, 10000));
  command
      .add_option("--stagger", settings.stagger_seconds,
                  "Start peer k (k-1) × SECONDS after peer 1 (default 0: all together)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 3600.0));
  command
      .add_option("--churn", settings.churn,
                  "Kill (SIGKILL) the last K peers once each has half the file")
      ->type_name("K")
      ->check(CLI::NonNegativeNumber);
  command
      .add_option("--origin-outage", text.outage,
                  "Unplug the origin from the LAN AT seconds after the start, for SECONDS")
      ->type_name("AT:SECONDS");
  command
      .add_option("--priority", settings.priority,
                  "swarmcopy get --priority of the peers (foreground: the origin at once; "
                  "normal: peers first for the engine's background delay)")
      ->check(CLI::IsMember({"foreground", "high", "normal", "low"}));
  command
      .add_option("--swarmcopy", text.swarmcopy,
                  "The swarmcopy binary (default: beside swarmcopy-lab, else $PATH)")
      ->type_name("PATH");
  command
      .add_option("--timeout", text.timeout_seconds,
                  "Give up when the peers of a round have not all finished after this many seconds")
      ->check(CLI::Range(1, 86400));
  command
      .add_option("--peer-arg", settings.peer_args,
                  "One more word for every peer's `swarmcopy get` (apt, oci: its swarmcopyd) "
                  "(repeatable; e.g. -v, with --keep, to read the peers' logs)")
      ->type_name("WORD")
      ->allow_extra_args(false);
  command
      .add_option("--seeded", settings.seeded,
                  "The first K peers download first; the others start together once those K "
                  "hold the file (first round)")
      ->check(CLI::Range(0, 1000));
  auto* no_publish = command.add_flag(
      "--no-publish", [&text](std::int64_t) { text.publish = false; },
      "No .torrent at the origin: each peer is given the file's SHA-256 (--sha256) "
      "and the peers make its metainfo themselves (the default for apt and oci: a plain mirror "
      "or registry)");
  command
      .add_flag(
          "--publish", [&text](std::int64_t) { text.publish = true; },
          "The origin publishes each content's .torrent beside it, as `swarmcopy publish` on a "
          "site's mirror would (the default for file)")
      ->excludes(no_publish);
  command
      .add_option("--liar", settings.liars,
                  "K more machines (liar1..liarK) offer a metainfo of other bytes under the "
                  "file's SHA-256 from the start (needs --no-publish)")
      ->type_name("K")
      ->check(CLI::Range(0, 100));
  command
      .add_option("--subnets", settings.subnets,
                  "Spread the peers round-robin over K subnets joined by a router (no multicast "
                  "across it), the origin behind the router on its own link (default 1: one "
                  "bridge, no router)")
      ->type_name("K")
      ->check(CLI::Range(1, 16));
  command.add_flag("--tracker", settings.tracker,
                   "Run Debian's opentracker in the origin's namespace, whitelisting the hashes "
                   "the group's peers announce (for --mode group)");
  command
      .add_option("--group-id", settings.group_id,
                  "The group of --mode group's peers (default scl-site)")
      ->type_name("GROUP");
  command
      .add_option("--vpn", settings.vpn,
                  "The last K peers' links are named tun0, a VPN to swarmcopy's vpn_interfaces "
                  "rule: they take nothing from peers and give nothing")
      ->type_name("K")
      ->check(CLI::Range(0, 250));
  command.add_flag("-q,--quiet", text.quiet, "No progress notes or live progress on stderr");
}

// Checks and converts what CLI11 could not; prints the problem and returns false.
bool finish_settings(lab::RunSettings& settings, const ScenarioText& text, bool needs_swarmcopy) {
  settings.publish = text.publish.value_or(settings.workload == "file");
  const auto size = lab::parse_size(text.size);
  if (!size || *size == 0) {
    fmt::print(stderr, "swarmcopy-lab: --size: not a size in binary units (64M, 1G): '{}'\n",
               text.size);
    return false;
  }
  settings.size = *size;
  for (const auto* rate : {&settings.origin_rate, &settings.lan_rate}) {
    if (rate->empty()) continue;
    const auto bits = lab::parse_tc_rate(*rate);
    if (!bits) {
      fmt::print(stderr, "swarmcopy-lab: not a tc rate (100mbit, 1gbit): '{}'\n", *rate);
      return false;
    }
    if (rate == &settings.origin_rate) settings.origin_rate_bits = *bits;
  }
  if (!text.outage.empty()) {
    double at = -1, length = -1;
    char colon = 0, rest = 0;
    if (std::sscanf(text.outage.c_str(), "%lf%c%lf%c", &at, &colon, &length, &rest) != 3 ||
        colon != ':' || at < 0 || length <= 0) {
      fmt::print(stderr,
                 "swarmcopy-lab: --origin-outage: want AT:SECONDS, e.g. 5:10 (unplugged from 5 s "
                 "to 15 s): '{}'\n",
                 text.outage);
      return false;
    }
    settings.outage =
        lab::OriginOutage{std::chrono::milliseconds(static_cast<long>(at * 1000)),
                          std::chrono::milliseconds(static_cast<long>(length * 1000))};
  }
  settings.timeout = std::chrono::seconds(text.timeout_seconds);
  if (needs_swarmcopy) {
    settings.swarmcopy = text.swarmcopy.empty() ? default_swarmcopy() : text.swarmcopy;
    if (settings.swarmcopy.empty() || ::access(settings.swarmcopy.c_str(), X_OK) != 0) {
      fmt::print(stderr, "swarmcopy-lab: no swarmcopy binary{}: give --swarmcopy PATH\n",
                 settings.swarmcopy.empty() ? "" : " at " + settings.swarmcopy.string());
      return false;
    }
  }
  return true;
}

// A run where --churn kills every peer measures nothing: says so.
bool churn_leaves_a_peer(int churn, int peers) {
  if (churn < peers) return true;
  fmt::print(stderr, "swarmcopy-lab: --churn {} would kill every one of {} peers\n", churn, peers);
  return false;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  for (size_t at = 0; at <= text.size();) {
    const size_t end = std::min(text.find(',', at), text.size());
    if (end > at) items.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return items;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_logger_mt("swarmcopy-lab");
  // On a terminal a note first erases the live progress line (progress_display.h), which is
  // drawn again below it at the next poll.
  logger->set_pattern(::isatty(STDERR_FILENO) == 1 ? "\r\x1b[Kswarmcopy-lab: %v"
                                                   : "swarmcopy-lab: %v");
  spdlog::set_default_logger(logger);

  CLI::App app{
      "swarmcopy-lab: a LAN on one machine — an nginx origin and N peers in network "
      "namespaces — to measure origin egress and finish times. Needs root."};
  app.require_subcommand(1);
  const auto modes = CLI::IsMember({"lan", "group", "http-only", "curl"});

  lab::RunSettings settings;
  ScenarioText text;
  std::string report_dir;
  auto* run = app.add_subcommand(
      "run", "One run: N peers download one generated file (or package, or image: --workload)");
  run->add_option("--peers", settings.peers, "Number of peer namespaces (1 to 250)")
      ->required()
      ->check(CLI::Range(1, 250));
  run->add_option("--mode", settings.mode,
                  "lan: swarmcopy get with local service discovery (default); group: as lan, and "
                  "the group's peers met at the --tracker; http-only: swarmcopy get from the "
                  "origin alone; curl: the baseline, curl from the origin")
      ->check(modes);
  run->add_option("--rounds", settings.rounds,
                  "Download the file this many times; rounds after the first come from the "
                  "peers' caches")
      ->check(CLI::Range(1, 10));
  run->add_flag("--json", settings.json, "Print one JSON object instead of the table");
  run->add_option("--report", report_dir, "Write report.md and plots (SVG, gnuplot) into DIR")
      ->type_name("DIR");
  run->add_flag("--keep", settings.keep, "Keep the lab's work directory (logs, files) afterwards");
  add_scenario_options(*run, settings, text);

  lab::SweepSettings sweep;
  std::string sweep_peers = "1,4,8,16,32";
  std::string sweep_modes = "lan,http-only,curl";
  std::string sweep_report = "swarmcopy-lab-sweep";
  auto* sweep_command =
      app.add_subcommand("sweep", "Runs for each mode and peer count, and one comparison report");
  sweep_command->add_option("--peers", sweep_peers, "Peer counts, comma-separated")
      ->capture_default_str()
      ->type_name("LIST");
  sweep_command->add_option("--modes", sweep_modes, "Modes, comma-separated")
      ->capture_default_str()
      ->type_name("LIST");
  sweep_command->add_option("--report", sweep_report, "Directory of the comparison report")
      ->capture_default_str()
      ->type_name("DIR");
  add_scenario_options(*sweep_command, settings, text);

  lab::LiarSettings liar;
  std::string liar_size;
  auto* liar_command = app.add_subcommand(
      "liar",
      "What `run --liar` starts in each liar's namespace: offers a metainfo of other bytes "
      "under SHA256 at its rendezvous and seeds them, until SIGTERM");
  liar_command->add_option("--sha256", liar.sha256, "The content's SHA-256")->required();
  liar_command->add_option("--size", liar_size, "The content's size (binary units)")->required();
  liar_command->add_option("--dir", liar.dir, "Where its bytes are written")->required();

  auto* clean = app.add_subcommand(
      "clean", fmt::format("Remove namespaces, links and processes that a crashed run left "
                           "(everything named {}*)",
                           lab::kLabPrefix));

  CLI11_PARSE(app, argc, argv);
  if (text.quiet) spdlog::set_level(spdlog::level::warn);
  settings.progress = !text.quiet;

  if (*liar_command) {
    const auto size = lab::parse_size(liar_size);
    if (!size) {
      fmt::print(stderr, "swarmcopy-lab liar: --size: not a size: '{}'\n", liar_size);
      return kExitUsage;
    }
    liar.size = *size;
    lab::install_stop_handler();
    return lab::run_liar(liar);
  }

  if (*clean) {
    if (!privileged()) return kExitUsage;
    auto removed = harness::clean_leftovers(lab::kLabPrefix);
    if (!removed) {
      fmt::print(stderr, "swarmcopy-lab: clean: {}\n", removed.error().message);
      return lab::kExitFailure;
    }
    if (removed->empty()) fmt::print("nothing to remove\n");
    for (const auto& name : *removed) fmt::print("removed {}\n", name);
    return 0;
  }

  if (*sweep_command) {
    for (const auto& word : split_list(sweep_peers)) {
      int count = 0;
      if (std::sscanf(word.c_str(), "%d", &count) != 1 || count < 1 || count > 250) {
        fmt::print(stderr, "swarmcopy-lab: sweep --peers: not a count from 1 to 250: '{}'\n", word);
        return kExitUsage;
      }
      sweep.peer_counts.push_back(count);
    }
    // The daemon workloads have no http-only mode: their default is lan and curl.
    if (settings.workload != "file" && sweep_command->count("--modes") == 0) {
      sweep_modes = "lan,curl";
    }
    sweep.modes = split_list(sweep_modes);
    for (const auto& mode : sweep.modes) {
      if (mode != "lan" && mode != "group" && mode != "http-only" && mode != "curl") {
        fmt::print(stderr,
                   "swarmcopy-lab: sweep --modes: lan, group, http-only or curl, not '{}'\n", mode);
        return kExitUsage;
      }
    }
    if (sweep.peer_counts.empty() || sweep.modes.empty()) {
      fmt::print(stderr, "swarmcopy-lab: sweep: give at least one peer count and one mode\n");
      return kExitUsage;
    }
    const bool needs_swarmcopy = sweep_modes.find("lan") != std::string::npos ||
                                 sweep_modes.find("group") != std::string::npos ||
                                 sweep_modes.find("http-only") != std::string::npos;
    if (!finish_settings(settings, text, needs_swarmcopy)) return kExitUsage;
    for (const int count : sweep.peer_counts) {
      if (!churn_leaves_a_peer(settings.churn, count)) return kExitUsage;
    }
    for (const auto& mode : sweep.modes) {
      lab::RunSettings cell = settings;
      cell.mode = mode;
      cell.peers = *std::min_element(sweep.peer_counts.begin(), sweep.peer_counts.end());
      if (mode != "group") cell.tracker = false;  // as run_sweep does
      for (const auto& refusal : {lab::workload_refusal(cell), lab::site_refusal(cell)}) {
        if (refusal.empty()) continue;
        fmt::print(stderr, "swarmcopy-lab: {}\n", refusal);
        return kExitUsage;
      }
    }
    sweep.base = settings;
    sweep.report_dir = fs::absolute(sweep_report);
    if (!privileged()) return kExitUsage;
    lab::install_stop_handler();
    return lab::run_sweep(sweep);
  }

  if (!finish_settings(settings, text, settings.mode != "curl")) return kExitUsage;
  if (!churn_leaves_a_peer(settings.churn, settings.peers)) return kExitUsage;
  if (settings.seeded >= settings.peers) {
    std::fprintf(stderr, "swarmcopy-lab: --seeded %d leaves no peer to start after them\n",
                 settings.seeded);
    return kExitUsage;
  }
  for (const auto& refusal : {lab::workload_refusal(settings), lab::site_refusal(settings)}) {
    if (refusal.empty()) continue;
    fmt::print(stderr, "swarmcopy-lab: {}\n", refusal);
    return kExitUsage;
  }
  if (settings.liars > 0 && (settings.publish || settings.mode != "lan")) {
    fmt::print(stderr,
               "swarmcopy-lab: --liar needs --no-publish and --mode lan (with a .torrent at the "
               "origin, or without peers, there is nothing to lie about)\n");
    return kExitUsage;
  }
  if (!report_dir.empty()) settings.report_dir = fs::absolute(report_dir);
  if (!privileged()) return kExitUsage;
  lab::install_stop_handler();
  return lab::run_lab(settings);
}
