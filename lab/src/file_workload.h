// FileWorkload (`--workload file`, the default): SIZE pseudo-random bytes published
// (peer::publish) and served by nginx as ORIGIN:8080/f.bin; each peer runs `swarmcopy get`
// (lan, group, http-only) or curl, as peer_run.h says; the liars of --liar run beside them, and
// with --tracker an opentracker beside the origin. One thread (the lab's).
#pragma once

#include <optional>
#include <string>

#include "liar_crew.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/tracker_server.h"
#include "workload.h"

namespace swarmcopy::lab {

class FileWorkload : public Workload {
 public:
  explicit FileWorkload(const RunSettings& settings) : settings_(settings) {}

  std::expected<void, std::string> prepare(harness::NetworkLab& lab) override;
  std::uint64_t content_size() const override { return settings_.size; }
  std::vector<std::string> content_uris() const override;
  std::expected<void, std::string> prepare_round(PeerRun& peer, int round) override;
  std::vector<std::string> round_argv(const PeerRun& peer, int round) const override;
  bool reported(const PeerRun& peer) const override;
  void read_progress(PeerRun& peer, double now_seconds) override;
  void sample_usage(PeerRun& peer) override;
  void read_result(PeerRun& peer) override;
  nlohmann::json finish(harness::NetworkLab& lab, bool figures) override;
  std::filesystem::path quit_origin() override;

 private:
  const RunSettings& settings_;
  std::string url_;
  std::string curl_;
  std::string expected_sha256_;
  std::optional<harness::OriginServer> origin_;
  std::optional<harness::TrackerServer> tracker_;
  std::optional<LiarCrew> liars_;
};

}  // namespace swarmcopy::lab
