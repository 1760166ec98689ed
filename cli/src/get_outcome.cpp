#include "get_outcome.h"

#include "job_json.h"

namespace swarmcopy::cli {

nlohmann::json get_outcome_to_json(const GetOutcome& outcome) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& peer : outcome.peers) {
    peers.push_back(
        {{"addr", peer.addr}, {"bytes_down", peer.bytes_down}, {"bytes_up", peer.bytes_up}});
  }
  nlohmann::json json = {
      {"job", outcome.job ? nlohmann::json(outcome.job->to_string()) : nlohmann::json(nullptr)},
      {"state",
       outcome.state ? nlohmann::json(api::to_string(*outcome.state)) : nlohmann::json(nullptr)},
      {"path", outcome.path},
      {"bytes", outcome.bytes},
      {"bytes_total",
       outcome.bytes_total ? nlohmann::json(*outcome.bytes_total) : nlohmann::json(nullptr)},
      {"mode",
       outcome.mode ? nlohmann::json(api::to_string(*outcome.mode)) : nlohmann::json(nullptr)},
      {"from_origin", outcome.from_origin},
      {"from_peers", outcome.from_peers},
      {"from_cache", outcome.from_cache},
      {"refetched", outcome.refetched},
      {"origin_ignores_range", outcome.origin_ignores_range},
      {"uploaded", outcome.uploaded},
      {"peers_seen", outcome.peers_seen},
      {"peers_connected", outcome.peers_connected},
      {"peers", peers},
      {"peers_unused_reason", outcome.peers_unused_reason
                                  ? nlohmann::json(*outcome.peers_unused_reason)
                                  : nlohmann::json(nullptr)},
      {"content_sha256",
       outcome.content_sha256 ? nlohmann::json(*outcome.content_sha256) : nlohmann::json(nullptr)},
      {"metadata_source", outcome.metadata_source ? nlohmann::json(*outcome.metadata_source)
                                                  : nlohmann::json(nullptr)},
      {"seconds", outcome.seconds},
      {"resumed", outcome.resumed},
      {"joined", outcome.joined},
  };
  if (outcome.error) json["error"] = error_to_json(*outcome.error);
  if (outcome.explanation) json["explanation"] = *outcome.explanation;
  return json;
}

}  // namespace swarmcopy::cli
