#include "metrics_routes.h"

#include <charconv>
#include <chrono>
#include <utility>

#include "swarmcopy/api/job_state.h"

namespace swarmcopy::daemon {
namespace {

using nlohmann::json;

constexpr api::JobState kStates[] = {
    api::JobState::kQueued,      api::JobState::kConnecting,   api::JobState::kTransferring,
    api::JobState::kSuspended,   api::JobState::kError,        api::JobState::kTransientError,
    api::JobState::kTransferred, api::JobState::kAcknowledged, api::JobState::kCancelled};

const engine::Caller kMachine{0, 0, true, std::nullopt};

json totals_json(const DayTotals& totals) {
  const std::uint64_t received = totals.origin + totals.peers + totals.cache;
  json out = {{"origin", totals.origin},
              {"peers", totals.peers},
              {"cache", totals.cache},
              {"received", received},
              {"uploaded", totals.uploaded}};
  // The share of the received bytes the origin did not send (DO's "% from peers and cache").
  out["savings_ratio"] = received == 0 ? 0.0
                                       : static_cast<double>(totals.peers + totals.cache) /
                                             static_cast<double>(received);
  return out;
}

Reply traffic(const RouteRequest& request, Metrics& metrics) {
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
  DayTotals sum;
  json list = json::array();
  for (const auto& [day, totals] : metrics.history(days)) {
    sum.origin += totals.origin;
    sum.peers += totals.peers;
    sum.cache += totals.cache;
    sum.uploaded += totals.uploaded;
    auto entry = totals_json(totals);
    entry["day"] = day;
    list.push_back(std::move(entry));
  }
  DayTotals all;
  for (const auto& [day, totals] : metrics.state().days) {
    all.origin += totals.origin;
    all.peers += totals.peers;
    all.cache += totals.cache;
    all.uploaded += totals.uploaded;
  }
  return Reply::json(
      200,
      {{"days", std::move(list)}, {"totals", totals_json(sum)}, {"all_time", totals_json(all)}});
}

}  // namespace

std::optional<api::CacheStats> observe_cache(engine::Service& service, Metrics& metrics) {
  auto stats = service.cache_admin(kMachine)->stats();
  if (!stats) return std::nullopt;  // disabled, or the engine is stopping
  metrics.observe_cache(stats->hits, stats->misses, stats->evictions);
  return *stats;
}

std::string scrape_metrics(engine::Service& service, Metrics& metrics) {
  LiveGauges live;
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
  if (auto stats = observe_cache(service, metrics)) {
    live.cache_enabled = true;
    live.cache_items = stats->items;
    live.cache_bytes = stats->bytes;
    live.cache_max_bytes = stats->max_bytes;
  }
  live.cpu_seconds = process_cpu_seconds();
  live.resident_bytes = process_resident_bytes();
  live.start_time_seconds = process_start_time_seconds();
  return metrics.render(live);
}

void add_metrics_routes(Router& router, std::shared_ptr<engine::Service> service,
                        std::shared_ptr<Metrics> metrics) {
  router.add("GET", "/metrics", {}, [service, metrics](const RouteRequest&) {
    return Reply::text(200, scrape_metrics(*service, *metrics),
                       std::string(PrometheusText::kContentType));
  });
  router.add("GET", "/v1/traffic", {"days"},
             [metrics](const RouteRequest& request) { return traffic(request, *metrics); });
}

}  // namespace swarmcopy::daemon
