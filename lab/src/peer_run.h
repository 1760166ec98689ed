// PeerRun: one downloader of one round of a lab run — the process in its namespace, what it
// reported and what the lab measured of it — and the helpers that start and read it. One
// thread (the lab's).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_settings.h"
#include "swarmcopy/harness/lab_process.h"

namespace swarmcopy::lab {

// Bytes the peer had verified `seconds` after the round started.
struct ProgressPoint {
  double seconds = 0;
  std::uint64_t bytes = 0;
};

struct PeerRun {
  std::string name;              // "peer1", also its namespace
  std::string address;           // its namespace's IPv4 address
  int subnet = 0;                // the lab subnet it sits in (--subnets)
  bool vpn = false;              // its link is named like a VPN's (--vpn)
  std::filesystem::path dir;     // its work directory (home, outputs)
  std::filesystem::path output;  // this round's destination
  std::optional<harness::LabProcess> process;
  double start_offset = 0;  // seconds after the round's start it was started
  bool finished = false;
  bool killed = false;                // by --churn
  std::optional<double> finished_at;  // seconds after the round's start
  std::vector<ProgressPoint> timeline;
  std::uint64_t bytes = 0;  // latest progress
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t from_cache = 0;
  std::uint64_t uploaded = 0;
  // From its result: bytes it got from each peer, by the peer's IPv4 address. What a peer
  // uploaded is counted from these, on the receiving side: a seeder's own count stops when
  // its download completes, its uploads do not.
  std::vector<std::pair<std::string, std::uint64_t>> downloaded_from;
  double cpu_seconds = 0;
  std::uint64_t max_rss = 0;
  std::string file_state;           // after the round: "ok", "wrong" (bad SHA-256) or "absent"
  std::string error;                // what the downloader reported, if it failed
  std::size_t stderr_consumed = 0;  // bytes of its stderr already parsed for progress lines
};

// A timeline point: `bytes` verified `seconds` after the round started, kept only when more
// than the last point's (progress never goes back); also the peer's latest bytes.
void add_point(PeerRun& peer, double seconds, std::uint64_t bytes);

// The command line of a downloader in `settings.mode` that writes `peer.output`.
// `sha256`: the content's, given to the peers when the origin publishes no metadata;
// `tracker_url`: where mode group's peers meet.
std::vector<std::string> downloader_argv(const RunSettings& settings, const PeerRun& peer,
                                         const std::string& url, const std::string& curl,
                                         const std::string& sha256, const std::string& tracker_url);

// Reads what is new of the peer's progress: swarmcopy's --json-progress lines on stderr, or
// the size of curl's output (curl writes in order). Adds a timeline point when bytes grew.
void read_progress(const RunSettings& settings, PeerRun& peer, double now_seconds);

// Its CPU time and peak RSS so far (kept at their maxima: a zombie still has them).
void sample_usage(PeerRun& peer);

// After the process ended: the sources from swarmcopy's JSON line (curl: all from the origin),
// and file_state from the SHA-256 of the output.
void read_result(const RunSettings& settings, PeerRun& peer, const std::string& expected_sha256);

}  // namespace swarmcopy::lab
