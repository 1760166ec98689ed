#include "daemon_peers.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "peer_status.h"
#include "proc_stats.h"
#include "stop_signal.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::expected<fs::path, std::string> DaemonPeers::find_swarmcopyd(const RunSettings& settings) {
  const fs::path beside = settings.swarmcopy.parent_path() / "swarmcopyd";
  if (::access(beside.c_str(), X_OK) == 0) return beside;
  return std::unexpected(fmt::format(
      "mode lan of this workload runs a swarmcopyd per peer: none at {} (beside --swarmcopy)",
      beside.string()));
}

std::expected<void, std::string> DaemonPeers::start(harness::NetworkLab& lab,
                                                    const RunSettings& settings,
                                                    const std::vector<std::string>& extra_args) {
  auto swarmcopyd = find_swarmcopyd(settings);
  if (!swarmcopyd) return std::unexpected(swarmcopyd.error());
  PeerDaemonOptions options;
  options.swarmcopyd = *swarmcopyd;
  // Offered to the other peers through every round, and then some.
  options.seed_time = std::chrono::seconds(settings.timeout.count() * settings.rounds + 600);
  options.extra_args = extra_args;
  options.extra_args.insert(options.extra_args.end(), settings.peer_args.begin(),
                            settings.peer_args.end());
  for (int index = 1; index <= settings.peers; ++index) {
    if (stop_requested()) return std::unexpected("stopped");
    options.ns = fmt::format("peer{}", index);
    options.dir = lab.work_dir() / options.ns / "daemon";
    auto daemon = PeerDaemon::start(lab, options);
    if (!daemon) return std::unexpected(daemon.error());
    daemons_.push_back(Peer{std::move(*daemon), std::nullopt, false});
  }
  spdlog::info("{} swarmcopyd answer on their sockets", daemons_.size());
  return {};
}

std::optional<size_t> DaemonPeers::index_of(const std::string& name) const {
  int number = 0;
  if (std::sscanf(name.c_str(), "peer%d", &number) != 1 || number < 1 ||
      number > static_cast<int>(daemons_.size())) {
    return std::nullopt;
  }
  return static_cast<size_t>(number - 1);
}

DaemonPeers::Peer* DaemonPeers::peer_of(const std::string& name) {
  const auto index = index_of(name);
  return index ? &daemons_[*index] : nullptr;
}

const PeerDaemon* DaemonPeers::of(const std::string& name) const {
  const auto index = index_of(name);
  return index ? &daemons_[*index].daemon : nullptr;
}

void DaemonPeers::begin_round(const PeerRun& peer) {
  if (Peer* found = peer_of(peer.name)) {
    found->daemon.begin_round();
    found->last_poll.reset();
    found->complained = false;
  }
}

void DaemonPeers::poll(PeerRun& peer, const std::set<std::string>& sha256s, double now_seconds,
                       bool right_now) {
  Peer* found = peer_of(peer.name);
  if (!found) return;
  const auto now = std::chrono::steady_clock::now();
  if (!right_now && found->last_poll && now - *found->last_poll < kPollInterval) return;
  found->last_poll = now;
  auto files = found->daemon.round_files(sha256s);
  if (!files) {
    if (!found->complained) spdlog::warn("{}: its swarmcopyd: {}", peer.name, files.error());
    found->complained = true;
    return;
  }
  set_sources(peer, *files, now_seconds);
}

std::vector<RoundFile> DaemonPeers::files(PeerRun& peer, const std::set<std::string>& sha256s) {
  Peer* found = peer_of(peer.name);
  if (!found) return {};
  auto files = found->daemon.round_files(sha256s);
  return files ? *files : std::vector<RoundFile>{};
}

void DaemonPeers::sample_usage(PeerRun& peer) {
  double cpu = 0;
  if (peer.process) {
    cpu = cpu_seconds_of(peer.process->pid(), true).value_or(0);
    if (auto rss = peak_rss_of(peer.process->pid()); rss && daemons_.empty()) {
      peer.max_rss = std::max(peer.max_rss, *rss);
    }
  }
  if (Peer* found = peer_of(peer.name)) {
    cpu += found->daemon.round_cpu_seconds();
    peer.max_rss = std::max(peer.max_rss, found->daemon.sample_peak_rss());
  }
  peer.cpu_seconds = std::max(peer.cpu_seconds, cpu);
}

nlohmann::json DaemonPeers::status(const RunSettings& settings) {
  nlohmann::json status = nlohmann::json::object();
  for (size_t index = 0; index < daemons_.size(); ++index) {
    const std::string name = fmt::format("peer{}", index + 1);
    status[name] = swarmcopy_status(settings.swarmcopy, name,
                                    {"--socket", daemons_[index].daemon.socket().string()});
  }
  return status;
}

void DaemonPeers::stop() {
  for (auto& peer : daemons_) peer.daemon.stop();
}

}  // namespace swarmcopy::lab
