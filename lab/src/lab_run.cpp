#include "lab_run.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "disk_room.h"
#include "lab_report.h"
#include "origin_log.h"
#include "peer_run.h"
#include "progress_display.h"
#include "report_files.h"
#include "stop_signal.h"
#include "swarmcopy/harness/network_lab.h"
#include "units.h"
#include "workload.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr auto kPollInterval = 50ms;

Failure stopped() { return Failure{"stopped by a signal; lab removed", kExitStopped}; }

std::unexpected<Failure> fail(std::string message) {
  return std::unexpected(Failure{std::move(message)});
}

// Everything a round needs that the run set up once. `settings.size` is the workload's
// content size (what every peer must end with).
struct Stage {
  const RunSettings& settings;
  harness::NetworkLab& lab;
  Workload& workload;
};

// The origin unplugged between two instants of a round, plugged back at the latest when the
// round ends.
class OutageSwitch {
 public:
  OutageSwitch(harness::NetworkLab& lab, std::optional<OriginOutage> outage)
      : lab_(lab), outage_(outage) {}
  ~OutageSwitch() { plug(); }

  void at(Clock::duration elapsed) {
    if (!outage_) return;
    if (!unplugged_ && !done_ && elapsed >= outage_->at) {
      spdlog::info("origin unplugged for {:.1f} s", outage_->length.count() / 1000.0);
      if (auto cut = lab_.set_connected("origin", false); !cut) {
        spdlog::warn("cannot unplug the origin: {}", cut.error().message);
      }
      unplugged_ = true;
    } else if (unplugged_ && elapsed >= outage_->at + outage_->length) {
      spdlog::info("origin plugged back");
      plug();
    }
  }

 private:
  void plug() {
    if (!unplugged_) return;
    unplugged_ = false;
    done_ = true;
    if (auto back = lab_.set_connected("origin", true); !back) {
      spdlog::warn("cannot plug the origin back: {}", back.error().message);
    }
  }

  harness::NetworkLab& lab_;
  std::optional<OriginOutage> outage_;
  bool unplugged_ = false;
  bool done_ = false;
};

// What the round loop knows at a poll, for the live progress. The origin's bytes are what the
// peers say they got from it (curl: its whole output): nginx logs a request only when it ends,
// too late to show a rate.
ProgressSnapshot snapshot_of(const RunSettings& settings, const RoundOutcome& round, size_t done,
                             double elapsed_seconds) {
  ProgressSnapshot snapshot;
  snapshot.mode = settings.mode;
  snapshot.round = round.round;
  snapshot.rounds = settings.rounds;
  snapshot.peers = settings.peers;
  snapshot.done = static_cast<int>(done);
  snapshot.size = settings.size;
  for (const auto& peer : round.peers) {
    snapshot.verified_bytes += peer.bytes;
    snapshot.origin_bytes += settings.mode == "curl" ? peer.bytes : peer.from_origin;
  }
  snapshot.elapsed_seconds = elapsed_seconds;
  if (settings.origin_rate_bits > 0) {
    snapshot.ideal_seconds = static_cast<double>(settings.size) * 8 / settings.origin_rate_bits;
  }
  return snapshot;
}

// --seeded K: the first K peers have finished (or there are none).
bool seeders_done(const RoundOutcome& round, int seeded) {
  for (int index = 0; index < seeded && index < static_cast<int>(round.peers.size()); ++index) {
    if (!round.peers[static_cast<size_t>(index)].finished) return false;
  }
  return true;
}

// One round: every peer downloads the file once (to a destination of its own for this round),
// as the scenario says. Returns when every peer finished or was killed.
// The origin's traffic is filled in later, from nginx's log (read_access_log).
std::expected<RoundOutcome, Failure> run_round(const Stage& stage, int round_number) {
  const RunSettings& settings = stage.settings;
  const bool first_round = round_number == 1;
  RoundOutcome round;
  round.round = round_number;
  round.peers.resize(static_cast<size_t>(settings.peers));
  for (int index = 0; index < settings.peers; ++index) {
    PeerRun& peer = round.peers[static_cast<size_t>(index)];
    peer.name = fmt::format("peer{}", index + 1);
    const auto ns = stage.lab.find(peer.name).value();
    peer.address = ns.address;
    peer.subnet = ns.subnet;
    peer.vpn = ns.interface != "eth0";
    peer.dir = stage.lab.work_dir() / peer.name;
    if (auto ready = stage.workload.prepare_round(peer, round_number); !ready) {
      return fail(peer.name + ": " + ready.error());
    }
    peer.start_offset = settings.stagger_seconds * index;
  }
  // --churn: the last K peers die once they have half the file (first round only).
  const size_t first_victim =
      first_round ? round.peers.size() - static_cast<size_t>(settings.churn) : round.peers.size();
  OutageSwitch outage(stage.lab, first_round ? settings.outage : std::nullopt);

  spdlog::info("round {}: {} peers ({} workload, {} mode)", round_number, settings.peers,
               settings.workload, settings.mode);
  ProgressDisplay progress(stderr, settings.progress, ::isatty(STDERR_FILENO) == 1);
  const auto start = Clock::now();
  const auto deadline = start + settings.timeout;
  size_t done = 0;
  while (done < round.peers.size()) {
    if (stop_requested()) return std::unexpected(stopped());
    const auto now = Clock::now();
    if (now >= deadline) {
      return fail(fmt::format("round {}: {} of {} peers still downloading after {} s", round_number,
                              round.peers.size() - done, round.peers.size(),
                              settings.timeout.count()));
    }
    const double now_seconds = std::chrono::duration<double>(now - start).count();
    outage.at(now - start);
    for (size_t index = 0; index < round.peers.size(); ++index) {
      PeerRun& peer = round.peers[index];
      if (peer.finished || peer.killed) continue;
      if (!peer.process) {
        if (now_seconds < peer.start_offset) continue;
        if (first_round && index >= static_cast<size_t>(settings.seeded) &&
            !seeders_done(round, settings.seeded)) {
          continue;
        }
        peer.start_offset = now_seconds;  // when it really started
        auto started = stage.lab.run_in(peer.name, stage.workload.round_argv(peer, round_number),
                                        stage.workload.round_options(peer));
        if (!started) return fail(peer.name + ": " + started.error().message);
        peer.process = *started;
        continue;
      }
      stage.workload.sample_usage(peer);
      stage.workload.read_progress(peer, now_seconds);
      if (stage.workload.reported(peer) || !peer.process->running()) {
        stage.workload.read_progress(peer, now_seconds);
        peer.finished = true;
        peer.finished_at = now_seconds;
        ++done;
        spdlog::info("{} done after {:.2f} s", peer.name, now_seconds - peer.start_offset);
      } else if (index >= first_victim && peer.bytes >= settings.size / 2 &&
                 peer.bytes < settings.size) {
        peer.process->kill(SIGKILL);
        peer.killed = true;
        ++done;
        spdlog::info("{} killed after {:.2f} s, at {}", peer.name, now_seconds,
                     format_bytes(peer.bytes));
      }
    }
    progress.update(snapshot_of(settings, round, done, now_seconds), now);
    std::this_thread::sleep_for(kPollInterval);
  }
  progress.finish(snapshot_of(settings, round, done,
                              std::chrono::duration<double>(Clock::now() - start).count()));

  // Everyone is done: stop the seeders, then read what each one said.
  for (auto& peer : round.peers) {
    if (!peer.process) continue;
    stage.workload.sample_usage(peer);
    peer.process->kill(SIGTERM);
  }
  for (auto& peer : round.peers) {
    if (!peer.process) continue;
    (void)peer.process->wait(30s);
    stage.workload.sample_usage(peer);  // the zombie still has its CPU time
    stage.workload.read_result(peer);
  }
  return round;
}

api::Result<void> shape_links(const RunSettings& settings, harness::NetworkLab& lab) {
  for (int index = 0; index <= settings.peers; ++index) {
    const bool origin = index == 0;
    harness::Shaping shaping{origin ? settings.origin_rate : settings.lan_rate,
                             settings.latency_ms};
    if (shaping.rate.empty() && shaping.latency_ms == 0) continue;
    const std::string name = origin ? "origin" : fmt::format("peer{}", index);
    if (auto shaped = lab.shape(name, shaping); !shaped) {
      return api::fail(
          api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
          (origin ? "--origin-rate: " : "--lan-rate/--latency: ") + shaped.error().message);
    }
  }
  return {};
}

// The machine the peers share: every peer's CPU time comes out of its cores, and whatever else
// runs there (a build) takes its share too. The 1-minute load average as the rounds start.
json host_figures() {
  double load = -1;
  std::ifstream("/proc/loadavg") >> load;
  return {{"cpus", std::thread::hardware_concurrency()},
          {"load_average_at_start", load >= 0 ? json(load) : json(nullptr)}};
}

// The run itself; the lab is closed by the caller whatever happens here.
std::expected<json, Failure> run_in_lab(const RunSettings& settings, harness::NetworkLab& lab) {
  if (settings.subnets == 1) {
    spdlog::info("lab {}: namespaces origin, peer1..peer{} on {}", lab.prefix(), settings.peers,
                 lab.subnet());
  } else {
    std::string subnets;
    for (const auto& subnet : lab.subnets()) subnets += (subnets.empty() ? "" : ", ") + subnet.cidr;
    spdlog::info("lab {}: peer1..peer{} round-robin on {}; origin behind the router on {}",
                 lab.prefix(), settings.peers, subnets, lab.uplink()->cidr);
  }
  for (int index = 0; index <= settings.peers; ++index) {
    if (stop_requested()) return std::unexpected(stopped());
    const std::string name = index == 0 ? "origin" : fmt::format("peer{}", index);
    harness::NamespaceOptions placement;
    if (index == 0) {
      placement.uplink = settings.subnets > 1;  // the site's uplink: behind the router
    } else {
      placement.subnet = (index - 1) % settings.subnets;
      // The last --vpn K peers: a link named like a VPN's (see RunSettings::vpn).
      if (index > settings.peers - settings.vpn) placement.interface = "tun0";
    }
    if (auto ns = lab.add_namespace(name, placement); !ns) return fail(ns.error().message);
  }
  if (auto shaped = shape_links(settings, lab); !shaped) return fail(shaped.error().message);

  auto workload = make_workload(settings);
  // Whatever happens from here, what the workload started for the peers stops before the lab
  // closes (the lab would kill it, but a daemon stopped gently says goodbye in its log).
  struct Finisher {
    Workload& workload;
    harness::NetworkLab& lab;
    bool done = false;
    json finish() {
      done = true;
      return workload.finish(lab, true);
    }
    ~Finisher() {
      if (!done) (void)workload.finish(lab, false);
    }
  } finisher{*workload, lab};
  if (auto prepared = workload->prepare(lab); !prepared) {
    return stop_requested() ? std::unexpected(stopped()) : fail(prepared.error());
  }
  // The rounds and the report measure the workload's content (the .deb, the layers).
  RunSettings measured = settings;
  measured.size = workload->content_size();
  const Stage stage{measured, lab, *workload};
  const json host = host_figures();
  std::vector<RoundOutcome> rounds;
  std::vector<double> round_starts;
  for (int number = 1; number <= settings.rounds; ++number) {
    round_starts.push_back(
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    auto round = run_round(stage, number);
    if (!round) return std::unexpected(round.error());
    rounds.push_back(std::move(*round));
  }
  json extra = finisher.finish();
  // nginx logs a request when it ends: it quits (gracefully, so every request is logged)
  // before the log is read.
  const auto access_log = workload->quit_origin();
  const auto traffic = read_access_log(access_log, workload->content_uris(), round_starts);
  for (size_t i = 0; i < rounds.size(); ++i) rounds[i].origin = traffic[i];
  auto report = run_report(measured, lab.prefix(), lab.work_dir().string(), rounds);
  if (settings.workload != "file") report["payload_size"] = settings.size;
  report["host"] = host;
  report.update(extra);
  return report;
}

}  // namespace

std::expected<json, Failure> run_once(const RunSettings& settings) {
  harness::LabOptions options;
  options.prefix = kLabPrefix;
  options.subnets = settings.subnets;
  if (settings.keep) {
    options.work_dir =
        fs::temp_directory_path() /
        fmt::format("swarmcopy-lab-{}-{}", ::getpid(), Clock::now().time_since_epoch().count());
  }
  // Before anything is made: a run that fills the disk leaves a machine that cannot start a
  // process. A kept work directory stays after the run: kept runs add up.
  const auto disk = settings.keep ? options.work_dir.parent_path() : fs::temp_directory_path();
  if (auto room = check_disk_room(disk, disk_needed(settings)); !room) return fail(room.error());
  auto lab = harness::NetworkLab::create(options);
  if (!lab) return fail(lab.error().message);
  auto report = run_in_lab(settings, **lab);
  // Whatever happened: every process, namespace, veth and the bridge go.
  auto closed = (*lab)->close();
  if (settings.keep) {
    spdlog::info("lab files kept in {} (up to {}; remove them when done)",
                 options.work_dir.string(), format_bytes(disk_needed(settings)));
  }
  if (!closed) return fail("cleaning up: " + closed.error().message);
  return report;
}

int run_lab(const RunSettings& settings) {
  auto report = run_once(settings);
  if (!report) {
    fmt::print(stderr, "swarmcopy-lab: {}\n", report.error().message);
    return report.error().exit_code;
  }
  if (settings.json) {
    fmt::print("{}\n", report->dump());
  } else {
    print_table(*report);
  }
  int exit_code = 0;
  if (!settings.report_dir.empty()) {
    if (auto written = write_run_report(settings.report_dir, *report); !written) {
      fmt::print(stderr, "swarmcopy-lab: --report: {}\n", written.error().message);
      exit_code = kExitFailure;
    } else {
      spdlog::info("report written to {}", (settings.report_dir / "report.md").string());
    }
  }
  if (!every_file_right(*report)) {
    fmt::print(stderr, "swarmcopy-lab: not every peer has the right file\n");
    exit_code = kExitFailure;
  }
  return exit_code;
}

}  // namespace swarmcopy::lab
