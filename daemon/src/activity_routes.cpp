#include "activity_routes.h"

#include <chrono>
#include <cstdio>
#include <utility>

#include "activity_page.h"
#include "metrics_routes.h"
#include "swarmcopy/api/job_state.h"

namespace swarmcopy::daemon {
namespace {

const engine::Caller kMachine{0, 0, true, std::nullopt};

std::string generated_at(api::Clock::time_point now) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::hh_mm_ss time{seconds - day};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s %02d:%02d:%02d UTC", metrics::utc_day(now).c_str(),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buffer;
}

ActivityJob activity_job(const api::JobInfo& info) {
  ActivityJob job;
  job.id = info.id.to_string();
  job.name = info.display_name;
  job.state = std::string(api::to_string(info.state));
  job.owner_uid = info.owner_uid;
  job.bytes_transferred = info.progress.bytes_transferred;
  job.bytes_total = info.progress.bytes_total;
  for (const auto& file : info.files) {
    job.from_origin += file.from_origin;
    job.from_peers += file.from_peers;
    job.from_cache += file.from_cache;
    job.uploaded += file.uploaded;
    job.peers_connected += file.peers_connected;
    job.files.push_back({file.url, file.local_path});
  }
  return job;
}

}  // namespace

std::string activity_page(engine::Service& service, metrics::Metrics& metrics,
                          const std::optional<engine::Caller>& viewer) {
  const auto now = api::Clock::now();
  ActivityView view;
  view.generated = generated_at(now);
  const std::string today = metrics::utc_day(now);
  // This month's days: the history of the last N days, N being today's day of the month.
  const int day_of_month = today.size() >= 10 ? std::stoi(today.substr(8, 2)) : 1;
  view.month = metrics.history(day_of_month);
  for (const auto& [day, totals] : metrics.state().days) {
    view.all_time.origin += totals.origin;
    view.all_time.peers += totals.peers;
    view.all_time.cache += totals.cache;
    view.all_time.uploaded += totals.uploaded;
  }
  if (auto stats = observe_engine(service, metrics)) {
    view.cache = ActivityCache{stats->items, stats->bytes, stats->max_bytes};
  }
  if (viewer) {
    view.viewer = viewer->admin ? std::string("root (every user's jobs)")
                                : "uid " + std::to_string(viewer->uid);
  }
  // Counts and peers from every job (machine totals, as /metrics); rows only for the viewer.
  if (auto infos = service.manager_for(kMachine)->job_infos(); infos) {
    for (const auto& info : *infos) {
      ++view.jobs_by_state[std::string(api::to_string(info.state))];
      if (!api::is_active(info.state)) continue;
      for (const auto& file : info.files) view.peers_connected += file.peers_connected;
    }
  }
  if (viewer) {
    // The caller's own view, as GET /v1/jobs: another user's job is not in it at all.
    if (auto infos = service.manager_for(*viewer)->job_infos(); infos) {
      for (const auto& info : *infos) {
        if (!viewer->admin && info.owner_uid != viewer->uid) continue;
        if (info.state == api::JobState::kAcknowledged || info.state == api::JobState::kCancelled) {
          continue;
        }
        view.jobs.push_back(activity_job(info));
      }
    }
  }
  return render_activity_page(view);
}

void add_activity_routes(Router& router, std::shared_ptr<engine::Service> service,
                         std::shared_ptr<metrics::Metrics> metrics) {
  router.add("GET", "/activity", {}, [service, metrics](const RouteRequest& request) {
    return Reply::text(200, activity_page(*service, *metrics, request.caller),
                       std::string(kHtmlContentType));
  });
}

}  // namespace swarmcopy::daemon
