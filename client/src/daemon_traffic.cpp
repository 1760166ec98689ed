#include "swarmcopy/client/daemon_traffic.h"

#include "daemon_rpc.h"
#include "remote_context.h"

namespace swarmcopy::client {
namespace {

std::uint64_t count_of(const nlohmann::json& json, const char* name) {
  const auto found = json.find(name);
  return found != json.end() && found->is_number_unsigned() ? found->get<std::uint64_t>() : 0;
}

TrafficTotals totals_of(const nlohmann::json& json) {
  TrafficTotals totals;
  if (!json.is_object()) return totals;
  if (json.contains("day") && json["day"].is_string()) totals.day = json["day"];
  totals.origin = count_of(json, "origin");
  totals.peers = count_of(json, "peers");
  totals.cache = count_of(json, "cache");
  totals.uploaded = count_of(json, "uploaded");
  return totals;
}

}  // namespace

double TrafficTotals::savings_ratio() const {
  const auto all = received();
  return all == 0 ? 0.0 : static_cast<double>(peers + cache) / static_cast<double>(all);
}

api::Result<DaemonTraffic> daemon_traffic(const std::filesystem::path& socket, int days,
                                          std::chrono::milliseconds timeout) {
  DaemonRpc rpc(socket, timeout);
  auto answer = rpc.call(HttpRequest::Method::kGet, "/v1/traffic?days=" + std::to_string(days));
  if (!answer) return std::unexpected(answer.error());
  auto traffic = traffic_from_json(*answer);
  if (!traffic) return std::unexpected(bad_answer(socket, "GET /v1/traffic: no \"days\" list"));
  return *traffic;
}

std::optional<DaemonTraffic> traffic_from_json(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("days") || !json["days"].is_array()) return std::nullopt;
  DaemonTraffic traffic;
  for (const auto& day : json["days"]) traffic.days.push_back(totals_of(day));
  if (json.contains("totals")) traffic.totals = totals_of(json["totals"]);
  if (json.contains("all_time")) traffic.all_time = totals_of(json["all_time"]);
  return traffic;
}

}  // namespace swarmcopy::client
