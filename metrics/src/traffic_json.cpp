#include "swarmcopy/metrics/traffic_json.h"

#include <utility>

namespace swarmcopy::metrics {
namespace {

using nlohmann::json;

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

void add(DayTotals& sum, const DayTotals& day) {
  sum.origin += day.origin;
  sum.peers += day.peers;
  sum.cache += day.cache;
  sum.uploaded += day.uploaded;
}

}  // namespace

json traffic_json(const Metrics& metrics, int days) {
  DayTotals sum;
  json list = json::array();
  for (const auto& [day, totals] : metrics.history(days)) {
    add(sum, totals);
    auto entry = totals_json(totals);
    entry["day"] = day;
    list.push_back(std::move(entry));
  }
  DayTotals all;
  for (const auto& [day, totals] : metrics.state().days) add(all, totals);
  return {{"days", std::move(list)}, {"totals", totals_json(sum)}, {"all_time", totals_json(all)}};
}

}  // namespace swarmcopy::metrics
