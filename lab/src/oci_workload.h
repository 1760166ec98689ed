// OciWorkload (`--workload oci`): the origin runs a registry behind a logging nginx
// (registry_origin.h) holding an image the lab made and pushed before the first round
// (oci_image.h: two layers of SIZE/2 random bytes); each peer pulls it with
// `skopeo copy ... oci:OUT:v1` in each round. Mode lan: from 127.0.0.1:5050, the registry
// mirror of the peer's own swarmcopyd (daemon_peers.h), whose blob jobs fetch the layers
// through the swarm; mode curl, the baseline: skopeo straight from ORIGIN:8080, no daemon. The
// content measured is the layers the registry serves. Published (the default, as for the other
// workloads): the origin also serves each blob's .torrent beside it; --no-publish: a plain
// registry, the daemons know a layer by its digest alone. One thread (the lab's).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "daemon_peers.h"
#include "oci_image.h"
#include "registry_origin.h"
#include "workload.h"

namespace swarmcopy::lab {

class OciWorkload : public Workload {
 public:
  explicit OciWorkload(const RunSettings& settings) : settings_(settings) {}

  std::expected<void, std::string> prepare(harness::NetworkLab& lab) override;
  std::uint64_t content_size() const override;
  std::vector<std::string> content_uris() const override;
  std::expected<void, std::string> prepare_round(PeerRun& peer, int round) override;
  std::vector<std::string> round_argv(const PeerRun& peer, int round) const override;
  harness::RunOptions round_options(const PeerRun& peer) const override;
  void read_progress(PeerRun& peer, double now_seconds) override;
  void sample_usage(PeerRun& peer) override { daemons_.sample_usage(peer); }
  void read_result(PeerRun& peer) override;
  nlohmann::json finish(harness::NetworkLab& lab, bool figures) override;
  std::filesystem::path quit_origin() override;

 private:
  std::expected<void, std::string> push(harness::NetworkLab& lab);
  // The metainfo of every blob of the image, where the blob jobs look for it (registry_origin.h).
  std::expected<void, std::string> publish();

  const RunSettings& settings_;
  std::filesystem::path work_;
  std::string skopeo_;
  std::string origin_address_;
  std::vector<OciLayer> layers_;  // as the registry serves them
  std::set<std::string> sha256s_;
  std::optional<RegistryOrigin> origin_;
  DaemonPeers daemons_;
};

}  // namespace swarmcopy::lab
