// RunSettings: one `swarmcopy-lab run` (or one cell of a sweep) after parsing. Plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace swarmcopy::lab {

// Every name a lab of swarmcopy-lab makes starts with this ("scl-3fa9c1-..."): not "sc-", so
// that `swarmcopy-lab clean` never removes the integration tests' labs.
inline constexpr const char* kLabPrefix = "scl-";

// --origin-outage AT:SECONDS: the origin unplugged from the LAN `at` after the start, for
// `length`.
struct OriginOutage {
  std::chrono::milliseconds at{0};
  std::chrono::milliseconds length{0};
};

struct RunSettings {
  // What the peers fetch (workload.h): "file" (one file: swarmcopy get or curl), "apt" (a
  // package: apt-get through each peer's swarmcopyd, or plain apt), "oci" (an image: skopeo
  // through each peer's registry mirror, or straight from the registry).
  std::string workload = "file";
  int peers = 0;
  std::uint64_t size = 0;  // the file; apt: the package's payload; oci: its two layers together
  // lan: swarmcopy get --mode lan (LAN peers found by local service discovery, and the origin);
  // http-only: swarmcopy get --mode http-only; curl: the baseline, curl against the origin.
  std::string mode = "lan";
  std::string origin_rate;      // tc syntax; empty: unshaped
  double origin_rate_bits = 0;  // parsed origin_rate, 0 when unshaped
  std::string lan_rate;         // every peer's link, tc syntax; empty: unshaped
  int latency_ms = 0;           // one-way delay on every link (needs sch_netem)
  double stagger_seconds = 0;   // peer k starts (k-1) × this after peer 1
  int churn = 0;                // peers killed (SIGKILL) once they have half the file
  std::optional<OriginOutage> outage;
  int rounds = 1;  // rounds after the first download the file again, served from caches
  std::string priority = "foreground";  // swarmcopy get --priority
  bool json = false;
  bool progress = true;               // live progress on stderr (-q: none)
  std::filesystem::path report_dir;   // --report DIR; empty: none
  std::filesystem::path swarmcopy;    // the `swarmcopy` binary (lan and http-only modes)
  std::chrono::seconds timeout{600};  // per round
  bool keep = false;                  // leave the lab's work directory (logs) in place
  // --peer-arg: more words for every `swarmcopy get` (file) or every peer's swarmcopyd (apt, oci)
  std::vector<std::string> peer_args;
  // --no-publish: the origin has no .torrent; each peer is given the file's SHA-256 (content
  // nobody published: the peers make the metainfo themselves).
  bool publish = true;
  // --seeded K: the first K peers download first (first round); the others start together once
  // those K hold the file.
  int seeded = 0;
  // --liar K: K more namespaces (liar1..liarK) run `swarmcopy-lab liar`, which offers a
  // metainfo of other bytes under the content's SHA-256 (needs --no-publish).
  int liars = 0;
};

}  // namespace swarmcopy::lab
