// The metrics endpoints: GET /metrics (Prometheus text, machine totals: no job ids, URLs or
// paths, so any local user may read it, and the TCP listener serves the same text) and
// GET /v1/traffic?days=N (the daily history by source with totals and the savings ratio, for
// `swarmcopy status`). Handlers call the engine synchronously: the server runs them on its
// handler pool. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "router.h"
#include "swarmcopy/engine/service.h"
#include "swarmcopy/metrics/metrics.h"

namespace swarmcopy::daemon {

// Feeds the engine's counts kept since it opened to `metrics`: the cache's hits, misses and
// evictions, the origin requests and peer bans (engine::NetworkTally). The cache's stats,
// nullopt when the cache is disabled or the engine stopped.
std::optional<api::CacheStats> observe_engine(engine::Service& service, metrics::Metrics& metrics);

// The whole exposition text at this moment: the counters and the engine's live gauges (jobs by
// state, peers, cache); also feeds the engine's counts to `metrics` (observe_engine).
std::string scrape_metrics(engine::Service& service, metrics::Metrics& metrics);

// The most days GET /v1/traffic answers.
inline constexpr int kMaxTrafficDays = metrics::kHistoryDays;

void add_metrics_routes(Router& router, std::shared_ptr<engine::Service> service,
                        std::shared_ptr<metrics::Metrics> metrics);

}  // namespace swarmcopy::daemon
