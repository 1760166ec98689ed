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

#include "content.h"
#include "disk_room.h"
#include "lab_report.h"
#include "liar_crew.h"
#include "origin_log.h"
#include "peer_run.h"
#include "progress_display.h"
#include "report_files.h"
#include "stop_signal.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/peer/metainfo.h"
#include "units.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int kOriginPort = 8080;
constexpr const char* kFileName = "f.bin";
constexpr auto kPollInterval = 50ms;

Failure stopped() { return Failure{"stopped by a signal; lab removed", kExitStopped}; }

std::unexpected<Failure> fail(std::string message) {
  return std::unexpected(Failure{std::move(message)});
}

bool has_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  return std::getline(in, line) && !in.eof();
}

// Everything a round needs that the run set up once.
struct Stage {
  const RunSettings& settings;
  harness::NetworkLab& lab;
  std::string url;
  std::string curl;
  std::string expected_sha256;
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
    peer.address = stage.lab.address_of(peer.name).value();
    peer.dir = stage.lab.work_dir() / peer.name;
    peer.output = first_round ? peer.dir / kFileName
                              : peer.dir / fmt::format("round{}", round_number) / kFileName;
    fs::create_directories(peer.output.parent_path());
    peer.start_offset = settings.stagger_seconds * index;
  }
  // --churn: the last K peers die once they have half the file (first round only).
  const size_t first_victim =
      first_round ? round.peers.size() - static_cast<size_t>(settings.churn) : round.peers.size();
  OutageSwitch outage(stage.lab, first_round ? settings.outage : std::nullopt);

  spdlog::info("round {}: {} peers ({} mode) against {}", round_number, settings.peers,
               settings.mode, stage.url);
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
        auto started = stage.lab.run_in(
            peer.name,
            downloader_argv(settings, peer, stage.url, stage.curl, stage.expected_sha256));
        if (!started) return fail(peer.name + ": " + started.error().message);
        peer.process = *started;
        continue;
      }
      sample_usage(peer);
      read_progress(settings, peer, now_seconds);
      // lan peers print their JSON line when complete (then seed); the others exit.
      const bool reported = settings.mode == "lan" && has_line(peer.process->stdout_path());
      if (reported || !peer.process->running()) {
        read_progress(settings, peer, now_seconds);
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
    sample_usage(peer);
    peer.process->kill(SIGTERM);
  }
  for (auto& peer : round.peers) {
    if (!peer.process) continue;
    (void)peer.process->wait(30s);
    sample_usage(peer);  // the zombie still has its CPU time
    read_result(settings, peer, stage.expected_sha256);
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

// The run itself; the lab is closed by the caller whatever happens here.
// Each peer's `swarmcopy status --json` after the last round: its home's traffic history (every
// round's bytes by source, the savings ratio), by peer name; null for a peer whose status could
// not be read (the error is logged). Empty for curl, which keeps no history.
json peer_status(const RunSettings& settings, harness::NetworkLab& lab) {
  json status = json::object();
  if (settings.mode == "curl") return status;
  for (int index = 1; index <= settings.peers; ++index) {
    const std::string name = fmt::format("peer{}", index);
    auto ran = harness::run_command({settings.swarmcopy.string(), "status", "--json", "--days", "1",
                                     "--home", (lab.work_dir() / name / "home").string()},
                                    30s);
    auto parsed = ran && ran->exit_code == 0 ? json::parse(ran->out, nullptr, false) : json();
    if (!parsed.is_object()) {
      spdlog::warn("{}: no status: {}", name, ran ? ran->err : ran.error().describe());
      parsed = nullptr;
    }
    status[name] = std::move(parsed);
  }
  return status;
}

std::expected<json, Failure> run_in_lab(const RunSettings& settings, harness::NetworkLab& lab) {
  auto nginx = harness::find_program("nginx");
  if (!nginx) return fail("nginx is needed for the origin: " + nginx.error().message);
  std::string curl;
  if (settings.mode == "curl") {
    auto found = harness::find_program("curl");
    if (!found) return fail("curl is needed for --mode curl: " + found.error().message);
    curl = *found;
  }

  spdlog::info("lab {}: namespaces origin, peer1..peer{} on {}", lab.prefix(), settings.peers,
               lab.subnet());
  for (int index = 0; index <= settings.peers; ++index) {
    if (stop_requested()) return std::unexpected(stopped());
    const std::string name = index == 0 ? "origin" : fmt::format("peer{}", index);
    if (auto ns = lab.add_namespace(name); !ns) return fail(ns.error().message);
  }
  auto liars = LiarCrew::add_namespaces(lab, settings.liars);
  if (!liars) return fail(liars.error());
  if (auto shaped = shape_links(settings, lab); !shaped) return fail(shaped.error().message);
  const std::string origin_address = lab.address_of("origin").value();

  const fs::path docroot = lab.work_dir() / "docroot";
  fs::create_directories(docroot);
  const fs::path content = docroot / kFileName;
  const std::uint32_t piece = piece_size_for(settings.size);
  spdlog::info("writing and publishing {} ({} pieces of {})", format_bytes(settings.size),
               (settings.size + piece - 1) / piece, format_bytes(piece));
  auto written = write_content(content, settings.size);
  if (!written) return fail(written.error().message);
  if (!*written) return std::unexpected(stopped());
  auto expected_sha = sha256_of(content);
  if (!expected_sha) return fail(expected_sha.error().describe());
  if (settings.publish) {
    if (auto meta = peer::publish(content, piece); !meta) return fail(meta.error().describe());
  }
  if (stop_requested()) return std::unexpected(stopped());

  harness::OriginOptions origin_options;
  origin_options.nginx = *nginx;
  origin_options.ns = "origin";
  origin_options.address = origin_address;
  origin_options.port = kOriginPort;
  origin_options.docroot = docroot;
  origin_options.log_format = kOriginLogFormat;
  origin_options.give_up = stop_requested;
  auto origin = harness::start_origin_server(lab, origin_options);
  if (!origin) {
    return stop_requested() ? std::unexpected(stopped()) : fail(origin.error().message);
  }

  const Stage stage{settings, lab,
                    fmt::format("http://{}:{}/{}", origin_address, kOriginPort, kFileName), curl,
                    *expected_sha};
  if (auto started = liars->start(lab, *expected_sha, settings.size); !started) {
    return stop_requested() ? std::unexpected(stopped()) : fail(started.error());
  }
  std::vector<RoundOutcome> rounds;
  std::vector<double> round_starts;
  for (int number = 1; number <= settings.rounds; ++number) {
    round_starts.push_back(
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    auto round = run_round(stage, number);
    if (!round) return std::unexpected(round.error());
    rounds.push_back(std::move(*round));
  }
  const json liar_figures = liars->stop();
  // nginx logs a request when it ends: quit it (gracefully, so every request is logged) before
  // the log is read.
  origin->process.kill(SIGQUIT);
  if (auto code = origin->process.wait(15s); !code || !*code) {
    spdlog::warn("nginx did not quit within 15 s: its log may lack the last requests");
  }
  const auto traffic =
      read_access_log(origin->access_log, std::string("/") + kFileName, round_starts);
  for (size_t i = 0; i < rounds.size(); ++i) rounds[i].origin = traffic[i];
  auto report = run_report(settings, lab.prefix(), lab.work_dir().string(), rounds);
  report["liars"] = liar_figures;
  report["peer_status"] = peer_status(settings, lab);
  return report;
}

}  // namespace

std::expected<json, Failure> run_once(const RunSettings& settings) {
  harness::LabOptions options;
  options.prefix = kLabPrefix;
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
