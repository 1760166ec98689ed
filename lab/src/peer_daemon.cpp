#include "peer_daemon.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proc_stats.h"
#include "stop_signal.h"
#include "swarmcopy/client/connect_options.h"
#include "swarmcopy/client/daemon_status.h"
#include "swarmcopy/client/remote_manager.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The last lines of a log, for an error message.
std::string tail_of(const fs::path& path, std::size_t lines = 5) {
  std::ifstream in(path);
  std::vector<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.erase(last.begin());
  }
  std::string text;
  for (const auto& line : last) text += "\n  " + line;
  return text;
}

}  // namespace

std::expected<PeerDaemon, std::string> PeerDaemon::start(harness::NetworkLab& lab,
                                                         const PeerDaemonOptions& options) {
  std::error_code error;
  fs::create_directories(options.dir, error);
  if (error) return std::unexpected(options.dir.string() + ": " + error.message());
  // apt's method runs as _apt and connects to the socket: the way there must be open to it.
  ::chmod(options.dir.c_str(), 0755);
  // An empty config of its own: nothing of this machine's /etc/swarmcopy applies.
  const fs::path config = options.dir / "swarmcopyd.conf";
  std::ofstream(config) << "";
  const fs::path socket = options.dir / "d.sock";
  const fs::path log = options.dir / "swarmcopyd.log";
  std::vector<std::string> argv = {options.swarmcopyd.string(),
                                   "--config",
                                   config.string(),
                                   "--socket",
                                   socket.string(),
                                   "--state-dir",
                                   (options.dir / "state").string(),
                                   "--peer-listen",
                                   "0.0.0.0:0",
                                   "--local-discovery",
                                   "true",
                                   "--download-mode",
                                   "lan",
                                   "--seed-time-seconds",
                                   std::to_string(options.seed_time.count())};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  harness::RunOptions run;
  run.stdout_path = options.dir / "swarmcopyd.out";
  run.stderr_path = log;
  auto started = lab.run_in(options.ns, argv, run);
  if (!started) {
    return std::unexpected(
        fmt::format("{}: cannot start swarmcopyd: {}", options.ns, started.error().message));
  }
  PeerDaemon daemon(*started, socket, log);
  // Bounded: kStartTimeout, in steps of 100 ms; a daemon that exits is not waited for.
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  for (;;) {
    if (client::daemon_status(socket, 1s)) return daemon;
    if (!daemon.process_.running()) {
      return std::unexpected(fmt::format("{}: swarmcopyd exited at its start; its log ({}):{}",
                                         options.ns, log.string(), tail_of(log)));
    }
    if (stop_requested()) return std::unexpected("stopped");
    if (std::chrono::steady_clock::now() >= deadline) {
      daemon.stop();
      return std::unexpected(fmt::format(
          "{}: swarmcopyd does not answer on {} after {} s; its log "
          "({}):{}",
          options.ns, socket.string(), kStartTimeout.count(), log.string(), tail_of(log)));
    }
    std::this_thread::sleep_for(100ms);
  }
}

std::expected<std::shared_ptr<api::Manager>, std::string> PeerDaemon::manager() {
  if (manager_) return manager_;
  client::ConnectOptions options;
  options.all_users = true;  // apt's jobs are _apt's; the mirror's the daemon's own
  options.call_timeout = 10s;
  auto connected = client::connect(socket_, options);
  if (!connected) return std::unexpected(connected.error().describe());
  manager_ = *connected;
  return manager_;
}

void PeerDaemon::begin_round() {
  cpu_at_round_start_ = cpu_seconds_of(process_.pid()).value_or(0);
  // Unanswered, this round's figures may include an earlier round's jobs: said, not hidden.
  auto connected = manager();
  if (!connected) {
    spdlog::warn("{}: cannot list its jobs as a round starts: {}", socket_.string(),
                 connected.error());
    return;
  }
  auto infos = (*connected)->job_infos();
  if (!infos) {
    spdlog::warn("{}: cannot list its jobs as a round starts: {}", socket_.string(),
                 infos.error().describe());
    return;
  }
  for (const auto& info : *infos) earlier_jobs_.insert(info.id);
}

std::expected<std::vector<RoundFile>, std::string> PeerDaemon::round_files(
    const std::set<std::string>& sha256s) {
  auto connected = manager();
  if (!connected) return std::unexpected(connected.error());
  auto infos = (*connected)->job_infos();
  if (!infos) return std::unexpected(infos.error().describe());
  std::vector<RoundFile> files;
  for (const auto& info : *infos) {
    if (earlier_jobs_.contains(info.id)) continue;
    for (const auto& file : info.files) {
      if (file.sha256 && sha256s.contains(*file.sha256)) files.push_back({info.state, file});
    }
  }
  return files;
}

double PeerDaemon::round_cpu_seconds() const {
  const auto now = cpu_seconds_of(process_.pid());
  return now ? std::max(0.0, *now - cpu_at_round_start_) : 0.0;
}

std::uint64_t PeerDaemon::sample_peak_rss() {
  if (auto rss = peak_rss_of(process_.pid())) peak_rss_ = std::max(peak_rss_, *rss);
  return peak_rss_;
}

void PeerDaemon::stop() {
  if (stopped_) return;
  stopped_ = true;
  manager_.reset();
  process_.kill(SIGTERM);
  if (auto code = process_.wait(15s); !code || !*code) process_.kill(SIGKILL);
}

void set_sources(PeerRun& peer, const std::vector<RoundFile>& files, double now_seconds) {
  std::uint64_t bytes = 0, origin = 0, peers = 0, cache = 0, uploaded = 0;
  std::map<std::string, std::uint64_t> by_address;
  for (const auto& [state, file] : files) {
    bytes += file.bytes_transferred;
    origin += file.from_origin;
    peers += file.from_peers;
    cache += file.from_cache;
    uploaded += file.uploaded;
    for (const auto& source : file.peers) {
      by_address[source.addr.substr(0, source.addr.rfind(':'))] += source.bytes_down;
    }
  }
  peer.from_origin = origin;
  peer.from_peers = peers;
  peer.from_cache = cache;
  peer.uploaded = std::max(peer.uploaded, uploaded);
  peer.downloaded_from.assign(by_address.begin(), by_address.end());
  add_point(peer, now_seconds, bytes);
}

}  // namespace swarmcopy::lab
