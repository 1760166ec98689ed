#include "job_json.h"

#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::cli {

nlohmann::json error_to_json(const api::Error& error) { return ipc::to_json(error); }

nlohmann::json job_to_json(const api::JobInfo& info) { return ipc::to_json(info); }

nlohmann::json jobs_to_json(const std::vector<api::JobInfo>& jobs) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& job : jobs) list.push_back(job_to_json(job));
  return list;
}

}  // namespace swarmcopy::cli
