// DaemonPeers: the swarmcopyd of every peer of a run whose downloads go through a daemon (the
// apt and oci workloads in lan mode; none in curl mode), and what the lab reads of them while
// rounds run: progress and bytes by source from the round's jobs, CPU time and memory. One
// thread (the lab's).
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "peer_daemon.h"
#include "peer_run.h"
#include "run_settings.h"

namespace swarmcopy::lab {

class DaemonPeers {
 public:
  // Each poll of a daemon is one HTTP call over its socket listing every job: at most this
  // often per peer while its download runs (and once more when it has ended).
  static constexpr auto kPollInterval = std::chrono::milliseconds(500);

  // The swarmcopyd beside settings.swarmcopy (build/bin/), or an error saying where it looked.
  static std::expected<std::filesystem::path, std::string> find_swarmcopyd(
      const RunSettings& settings);

  // One daemon per peer ("peer1".."peerN", in WORK/peerK/daemon), started one after the other
  // and each waited for; `extra_args` for every one, then settings.peer_args.
  std::expected<void, std::string> start(harness::NetworkLab& lab, const RunSettings& settings,
                                         const std::vector<std::string>& extra_args);
  bool running() const { return !daemons_.empty(); }
  // The daemon of peer `name` ("peer3"); null without daemons.
  const PeerDaemon* of(const std::string& name) const;

  void begin_round(const PeerRun& peer);
  // The round's files of `sha256s` at the peer's daemon, into its figures (set_sources);
  // skipped when the last poll of this peer was less than kPollInterval ago, unless `now`.
  // A daemon that does not answer is logged once per round, and counted as no progress.
  void poll(PeerRun& peer, const std::set<std::string>& sha256s, double now_seconds,
            bool right_now);
  // The round's job states of `sha256s` (for the result): which ones did not end well.
  std::vector<RoundFile> files(PeerRun& peer, const std::set<std::string>& sha256s);

  // CPU: the downloader's (with the children it reaped: apt's methods) plus its daemon's
  // since the round began; peak RSS: the daemon's (curl mode: the downloader's).
  void sample_usage(PeerRun& peer);

  // Each daemon's `swarmcopy status --json` by peer name (empty without daemons).
  nlohmann::json status(const RunSettings& settings);
  void stop();

 private:
  struct Peer {
    PeerDaemon daemon;
    std::optional<std::chrono::steady_clock::time_point> last_poll;
    bool complained = false;
  };
  Peer* peer_of(const std::string& name);
  std::optional<size_t> index_of(const std::string& name) const;

  std::vector<Peer> daemons_;
};

}  // namespace swarmcopy::lab
