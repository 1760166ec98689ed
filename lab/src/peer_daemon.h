// PeerDaemon: one peer's swarmcopyd in its lab namespace, as a site would run it (the system
// daemon: root, every user's jobs), for the workloads whose downloads go through a daemon (apt,
// oci). Started once before the first round and stopped after the last, so later rounds find
// its cache. Peers find each other by local service discovery on the lab's bridge, as
// `swarmcopy get --mode lan` peers do. Also what the lab asks it: the jobs a round created
// (bytes by source, progress) and its CPU time and peak memory. One thread (the lab's).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "peer_run.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_state.h"
#include "swarmcopy/api/manager.h"
#include "swarmcopy/harness/lab_process.h"
#include "swarmcopy/harness/network_lab.h"

namespace swarmcopy::lab {

struct PeerDaemonOptions {
  std::filesystem::path swarmcopyd;  // the binary
  std::string ns;                    // the peer's namespace ("peer3")
  std::filesystem::path dir;         // its socket, state, config and log go here
  // Longer than every round together: what it downloaded stays offered to the other peers.
  std::chrono::seconds seed_time{3600};
  std::vector<std::string> extra_args;  // more flags (the registry mirror; --peer-arg words)
};

// A file of a job the daemon made during the current round, with its job's state.
struct RoundFile {
  api::JobState state = api::JobState::kQueued;
  api::FileStatus file;
};

class PeerDaemon {
 public:
  // Starts it and waits until its socket answers (bounded: kStartTimeout). The error names
  // the daemon's log.
  static std::expected<PeerDaemon, std::string> start(harness::NetworkLab& lab,
                                                      const PeerDaemonOptions& options);
  static constexpr auto kStartTimeout = std::chrono::seconds(30);

  const std::filesystem::path& socket() const { return socket_; }
  const std::filesystem::path& log() const { return log_; }
  const harness::LabProcess& process() const { return process_; }

  // A new round starts: the jobs so far are the earlier rounds', the CPU time so far theirs.
  void begin_round();
  // The files whose expected SHA-256 is one of `sha256s`, of the jobs made since begin_round
  // (every user's: apt's jobs are _apt's). Error: the daemon did not answer.
  std::expected<std::vector<RoundFile>, std::string> round_files(
      const std::set<std::string>& sha256s);
  // CPU seconds since begin_round (user + system, every thread).
  double round_cpu_seconds() const;
  // The largest resident set it has had (VmHWM), sampled: call it while it runs.
  std::uint64_t sample_peak_rss();

  // SIGTERM, then a bounded wait (SIGKILL after 15 s). Idempotent.
  void stop();

 private:
  PeerDaemon(harness::LabProcess process, std::filesystem::path socket, std::filesystem::path log)
      : process_(std::move(process)), socket_(std::move(socket)), log_(std::move(log)) {}
  std::expected<std::shared_ptr<api::Manager>, std::string> manager();

  harness::LabProcess process_;
  std::filesystem::path socket_;
  std::filesystem::path log_;
  std::shared_ptr<api::Manager> manager_;
  std::set<api::JobId> earlier_jobs_;
  double cpu_at_round_start_ = 0;
  std::uint64_t peak_rss_ = 0;
  bool stopped_ = false;
};

// The peer's figures from the daemon's files of this round, summed over them: bytes (verified,
// also a timeline point at `now_seconds` when they grew), from_origin, from_peers, from_cache,
// uploaded, and what it got from each peer (downloaded_from).
void set_sources(PeerRun& peer, const std::vector<RoundFile>& files, double now_seconds);

}  // namespace swarmcopy::lab
