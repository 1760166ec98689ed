#include "job_finder.h"

#include <spdlog/spdlog.h>

namespace swarmcopy::cli {

std::string get_job_name(const std::string& url) { return "swarmcopy get " + url; }

api::Result<std::shared_ptr<api::Job>> find_resumable_get_job(api::Manager& manager,
                                                              const api::FileSpec& spec) {
  auto jobs = manager.jobs();
  if (!jobs) return std::unexpected(jobs.error());
  std::shared_ptr<api::Job> found;
  // jobs() is oldest first: the last match is the newest.
  for (auto& job : *jobs) {
    auto info = job->info();
    if (!info) return std::unexpected(info.error());
    if (api::is_final(info->state) || info->files.size() != 1) continue;
    const auto& file = info->files.front();
    if (file.url != spec.url || file.local_path != spec.local_path) continue;
    if (file.sha256 == spec.sha256) {
      found = job;
    } else if (info->display_name == get_job_name(spec.url)) {
      spdlog::info("cancelling job {}: same download with another expected SHA-256",
                   info->id.to_string());
      if (auto cancelled = job->cancel(); !cancelled) return std::unexpected(cancelled.error());
    }
  }
  return found;
}

}  // namespace swarmcopy::cli
