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
  // group: swarmcopy get --mode group (as lan, and the group's machines met at the --tracker);
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
  // --subnets K: the peers spread round-robin over K subnets joined by a router (no multicast
  // across it: LSD finds only a peer's own subnet), the origin behind the router on its own
  // link. 1: one bridge, the origin on it, no router.
  int subnets = 1;
  // --tracker: Debian's opentracker in the origin's namespace, its whitelist the hashes the
  // group's peers announce; mode group's peers meet there.
  bool tracker = false;
  std::string group_id = "scl-site";  // --group-id: the group of mode group's peers
  // --vpn K: the last K peers' links are named tun0, which swarmcopy's vpn_interfaces rule
  // (tun* wg* ppp* tap*) takes for a VPN: those peers take nothing from peers, give nothing.
  int vpn = 0;
};

// True for the modes whose peers are swarmcopy engines that meet other peers.
inline bool peering_mode(const std::string& mode) { return mode == "lan" || mode == "group"; }

}  // namespace swarmcopy::lab
