// Workload: what the peers of a lab run fetch, and how — the part of a run that `--workload`
// chooses. lab_run.cpp owns the rest (the lab, its links, the rounds, their timing, the
// report); a workload makes the origin's content and server, readies each peer once (a daemon,
// apt's lists), says what each peer runs in a round, reads its progress and result, and tears
// down what it started. One thread (the lab's).
//
//   file: one generated file, `swarmcopy get` (or curl) per peer — file_workload.h
//   apt:  a Debian repository, `apt-get install --download-only` per peer — apt_workload.h
//   oci:  a container registry, `skopeo copy` of an image per peer — oci_workload.h
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "peer_run.h"
#include "run_settings.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/run_options.h"

namespace swarmcopy::lab {

class Workload {
 public:
  virtual ~Workload() = default;

  // Makes the content, starts the origin's server in namespace "origin" (its access log in
  // kOriginLogFormat) and readies every peer namespace "peer1".."peerN". Not timed. The error
  // is a sentence; a stop request (stop_signal.h) may also end it early with an error.
  virtual std::expected<void, std::string> prepare(harness::NetworkLab& lab) = 0;

  // The bytes every peer must end with (the report's size: the file, the .deb, the image's
  // layers), and the origin URIs whose body bytes are that content (origin_bytes; every other
  // URI is metadata). Known once prepare succeeded.
  virtual std::uint64_t content_size() const = 0;
  virtual std::vector<std::string> content_uris() const = 0;

  // Before round `round` (1 for the first): sets peer.output and makes what it needs; the
  // start of the peer's round (its CPU time from here on).
  virtual std::expected<void, std::string> prepare_round(PeerRun& peer, int round) = 0;
  virtual std::vector<std::string> round_argv(const PeerRun& peer, int round) const = 0;
  // How the peer's program runs; by default with a user state directory of its own (see
  // workload.cpp).
  virtual harness::RunOptions round_options(const PeerRun& peer) const;

  // True once the peer has what it came for while its process still runs (a `swarmcopy get`
  // that seeds afterwards); otherwise a peer is done when its process exits.
  virtual bool reported(const PeerRun& /*peer*/) const { return false; }

  // While the round runs: what is new of its progress (a timeline point when bytes grew), and
  // its CPU time and peak RSS.
  virtual void read_progress(PeerRun& peer, double now_seconds) = 0;
  virtual void sample_usage(PeerRun& peer) = 0;

  // After its process ended: bytes by source, error, file_state ("ok", "wrong", "absent").
  virtual void read_result(PeerRun& peer) = 0;

  // After the last round, or when the run failed: stops what prepare started for the peers
  // (liars, daemons) and, when `figures`, first says what goes into the report beside the rounds
  // ("liars", "peer_status").
  virtual nlohmann::json finish(harness::NetworkLab& lab, bool figures) = 0;

  // Quits the origin's server gracefully (so that every request is logged) and returns its
  // access log's path.
  virtual std::filesystem::path quit_origin() = 0;
};

// The port every workload's origin serves on, in namespace "origin".
inline constexpr int kOriginPort = 8080;

// nginx serving `docroot` in namespace "origin" on ADDRESS:kOriginPort, its access log in
// kOriginLogFormat (the file and apt workloads' origin); a stop request gives up the wait.
std::expected<harness::OriginServer, std::string> start_static_origin(
    harness::NetworkLab& lab, const std::string& nginx, const std::string& address,
    const std::filesystem::path& docroot);

// Quits an origin's nginx gracefully (SIGQUIT: every request is logged first), waits for it
// (15 s at most) and returns its access log's path.
std::filesystem::path quit_nginx(harness::LabProcess& nginx,
                                 const std::filesystem::path& access_log);

// The last line of a file that is not empty ("" when none): what a failed tool said last.
std::string last_line_of(const std::filesystem::path& path);

// A round's process (apt-get, skopeo) that did not end, or ended with an error: a sentence with
// its exit code and the last line it wrote on stderr; empty when it ended with 0.
std::string exit_error(PeerRun& peer, const std::string& program);

// The workload `settings.workload` names ("file", "apt", "oci"); main.cpp checked the name.
std::unique_ptr<Workload> make_workload(const RunSettings& settings);

}  // namespace swarmcopy::lab
