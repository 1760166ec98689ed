// The traffic history as GET /v1/traffic and `swarmcopy status --json` give it (daemon/API.md,
// "Traffic"): the last days with their bytes by source, their totals, the all-time totals, each
// with its savings ratio.
#pragma once

#include <nlohmann/json.hpp>

#include "swarmcopy/metrics/metrics.h"

namespace swarmcopy::metrics {

// The last `days` UTC days (1 to kHistoryDays, today included), oldest first.
nlohmann::json traffic_json(const Metrics& metrics, int days);

}  // namespace swarmcopy::metrics
