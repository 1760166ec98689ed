// AptWorkload (`--workload apt`): the origin serves a flat Debian repository (apt_repository.h)
// at ORIGIN:8080/repo/; each peer has apt with a private root (its own sources.list, lists,
// status, cache; nothing of this machine's apt configuration), `apt-get update` once before the
// first round, and in each round `apt-get install --download-only -y PACKAGE` into a fresh
// archives directory. Mode lan: the source is `swarmcopy+http://`, apt's method hands the .deb
// to the peer's own swarmcopyd (daemon_peers.h); mode curl, the baseline: plain `http://`,
// apt's own http method, no daemon. The content measured is the .deb. One thread (the lab's).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "apt_repository.h"
#include "daemon_peers.h"
#include "swarmcopy/harness/origin_server.h"
#include "workload.h"

namespace swarmcopy::lab {

class AptWorkload : public Workload {
 public:
  explicit AptWorkload(const RunSettings& settings) : settings_(settings) {}

  std::expected<void, std::string> prepare(harness::NetworkLab& lab) override;
  std::uint64_t content_size() const override { return repository_.deb_size; }
  std::vector<std::string> content_uris() const override;
  std::expected<void, std::string> prepare_round(PeerRun& peer, int round) override;
  std::vector<std::string> round_argv(const PeerRun& peer, int round) const override;
  void read_progress(PeerRun& peer, double now_seconds) override;
  void sample_usage(PeerRun& peer) override { daemons_.sample_usage(peer); }
  void read_result(PeerRun& peer) override;
  nlohmann::json finish(harness::NetworkLab& lab, bool figures) override;
  std::filesystem::path quit_origin() override;

 private:
  // apt-get with peer `name`'s private root and the lab's methods, then `command`.
  std::vector<std::string> apt_get(const std::string& name,
                                   const std::vector<std::string>& command) const;
  std::expected<void, std::string> make_methods_dir(const std::filesystem::path& dir);
  std::expected<void, std::string> update_every_peer(harness::NetworkLab& lab);

  const RunSettings& settings_;
  std::filesystem::path work_;
  std::string apt_get_;
  std::filesystem::path methods_;
  std::string source_;
  AptRepository repository_;
  std::set<std::string> sha256s_;  // the .deb's: its daemon job's file
  std::optional<harness::OriginServer> origin_;
  DaemonPeers daemons_;
};

}  // namespace swarmcopy::lab
