#include "get_outcome.h"

#include "job_json.h"

namespace swarmcopy::cli {

nlohmann::json get_outcome_to_json(const GetOutcome& outcome) {
  nlohmann::json json = {
      {"job", outcome.job ? nlohmann::json(outcome.job->to_string()) : nlohmann::json(nullptr)},
      {"state",
       outcome.state ? nlohmann::json(api::to_string(*outcome.state)) : nlohmann::json(nullptr)},
      {"path", outcome.path},
      {"bytes", outcome.bytes},
      {"from_origin", outcome.from_origin},
      {"from_peers", outcome.from_peers},
      {"from_cache", outcome.from_cache},
      {"seconds", outcome.seconds},
      {"resumed", outcome.resumed},
  };
  if (outcome.error) json["error"] = error_to_json(*outcome.error);
  return json;
}

}  // namespace swarmcopy::cli
