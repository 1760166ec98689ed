#include "job_finder.h"

#include <optional>

#include <spdlog/spdlog.h>

#include "swarmcopy/api/credentials.h"

namespace swarmcopy::cli {

// Names are shown to root in `job list --all`: no secret of the URL goes into one.
std::string get_job_name(const std::string& url) { return "swarmcopy get " + api::mask_url(url); }

namespace {

// The same download as `spec`: one file, same URL (a daemon shows URLs with their credentials
// masked: the masked forms are compared), same destination.
bool same_download(const api::JobInfo& info, const api::FileSpec& spec) {
  if (info.files.size() != 1) return false;
  const auto& file = info.files.front();
  return api::mask_url(file.url) == api::mask_url(spec.url) && file.local_path == spec.local_path;
}

}  // namespace

api::Result<std::shared_ptr<api::Job>> find_resumable_get_job(api::Manager& manager,
                                                              const api::FileSpec& spec) {
  // One snapshot of every job: one round trip to a daemon instead of one per job.
  auto infos = manager.job_infos();
  if (!infos) return std::unexpected(infos.error());
  std::optional<api::JobId> found;
  // Oldest first: the last match is the newest.
  for (const auto& info : *infos) {
    if (api::is_final(info.state) || !same_download(info, spec)) continue;
    if (info.files.front().sha256 == spec.sha256) {
      found = info.id;
    } else if (info.display_name == get_job_name(spec.url)) {
      spdlog::info("cancelling job {}: same download with another expected SHA-256",
                   info.id.to_string());
      auto job = manager.get_job(info.id);
      if (!job) return std::unexpected(job.error());
      if (auto cancelled = (*job)->cancel(); !cancelled) return std::unexpected(cancelled.error());
    }
  }
  if (!found) return std::shared_ptr<api::Job>();
  return manager.get_job(*found);
}

api::Result<std::optional<api::JobInfo>> find_get_job_completed_since(
    api::Manager& manager, const api::FileSpec& spec, api::Clock::time_point since) {
  auto infos = manager.job_infos();
  if (!infos) return std::unexpected(infos.error());
  std::optional<api::JobInfo> found;
  for (auto& info : *infos) {
    // ACKNOWLEDGED is set last, when the file is in place: its modification time is then.
    if (info.state != api::JobState::kAcknowledged || !same_download(info, spec) ||
        info.files.front().sha256 != spec.sha256 || info.display_name != get_job_name(spec.url) ||
        info.times.modification_time < since) {
      continue;
    }
    if (!found || info.times.modification_time >= found->times.modification_time) {
      found = std::move(info);
    }
  }
  return found;
}

}  // namespace swarmcopy::cli
