#include "metrics_routes.h"

#include <charconv>
#include <chrono>
#include <utility>

#include "swarmcopy/api/job_state.h"
#include "swarmcopy/metrics/traffic_json.h"

namespace swarmcopy::daemon {
namespace {

using nlohmann::json;

constexpr api::JobState kStates[] = {
    api::JobState::kQueued,      api::JobState::kConnecting,   api::JobState::kTransferring,
    api::JobState::kSuspended,   api::JobState::kError,        api::JobState::kTransientError,
    api::JobState::kTransferred, api::JobState::kAcknowledged, api::JobState::kCancelled};

const engine::Caller kMachine{0, 0, true, std::nullopt};

Reply traffic(const RouteRequest& request, metrics::Metrics& metrics) {
  int days = 30;
  if (auto found = request.query.find("days"); found != request.query.end()) {
    const auto& text = found->second;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
    if (ec != std::errc() || ptr != text.data() + text.size() || days < 1 ||
        days > kMaxTrafficDays) {
      return Reply::error(caller_error(
          api::ErrorKind::kInvalidArgument,
          "days: expected 1 to " + std::to_string(kMaxTrafficDays) + ", got \"" + text + "\""));
    }
  }
  return Reply::json(200, metrics::traffic_json(metrics, days));
}

}  // namespace

std::optional<api::CacheStats> observe_engine(engine::Service& service, metrics::Metrics& metrics) {
  if (auto tally = service.network_tally()) metrics.observe_network(*tally);
  auto stats = service.cache_admin(kMachine)->stats();
  if (!stats) return std::nullopt;  // disabled, or the engine is stopping
  metrics.observe_cache(stats->hits, stats->misses, stats->evictions);
  return *stats;
}

std::string scrape_metrics(engine::Service& service, metrics::Metrics& metrics) {
  metrics::LiveGauges live;
  // First, before the scrape's own calls queue there: the engine thread's lag as jobs see it.
  const auto asked = std::chrono::steady_clock::now();
  if (service.job_count(std::nullopt)) {
    live.engine_lag_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  }
  for (const auto state : kStates) live.jobs_by_state[std::string(api::to_string(state))] = 0;
  if (auto infos = service.manager_for(kMachine)->job_infos(); infos) {
    for (const auto& info : *infos) {
      ++live.jobs_by_state[std::string(api::to_string(info.state))];
      if (!api::is_active(info.state)) continue;
      for (const auto& file : info.files) live.peers_connected += file.peers_connected;
    }
  }
  if (auto stats = observe_engine(service, metrics)) {
    live.cache_enabled = true;
    live.cache_items = stats->items;
    live.cache_bytes = stats->bytes;
    live.cache_max_bytes = stats->max_bytes;
  }
  live.cpu_seconds = metrics::process_cpu_seconds();
  live.resident_bytes = metrics::process_resident_bytes();
  live.start_time_seconds = metrics::process_start_time_seconds();
  return metrics.render(live);
}

void add_metrics_routes(Router& router, std::shared_ptr<engine::Service> service,
                        std::shared_ptr<metrics::Metrics> metrics) {
  router.add("GET", "/metrics", {}, [service, metrics](const RouteRequest&) {
    return Reply::text(200, scrape_metrics(*service, *metrics),
                       std::string(metrics::PrometheusText::kContentType));
  });
  router.add("GET", "/v1/traffic", {"days"},
             [metrics](const RouteRequest& request) { return traffic(request, *metrics); });
}

}  // namespace swarmcopy::daemon
