// The metrics endpoints: GET /metrics (Prometheus text, machine totals: no job ids, URLs or
// paths, so any local user may read it, and the TCP listener serves the same text) and
// GET /v1/traffic?days=N (the daily history by source with totals and the savings ratio, for
// `swarmcopy status`). Handlers call the engine synchronously: the server runs them on its
// handler pool. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "metrics.h"
#include "router.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::daemon {

// Feeds the cache's hit, miss and eviction counts to `metrics`; the cache's stats, nullopt when the
// cache is disabled or the engine stopped.
std::optional<api::CacheStats> observe_cache(engine::Service& service, Metrics& metrics);

// The whole exposition text at this moment: the counters and the engine's live gauges (jobs by
// state, peers, cache); also feeds the cache's hit and miss counts to `metrics`.
std::string scrape_metrics(engine::Service& service, Metrics& metrics);

// The most days GET /v1/traffic answers.
inline constexpr int kMaxTrafficDays = kHistoryDays;

void add_metrics_routes(Router& router, std::shared_ptr<engine::Service> service,
                        std::shared_ptr<Metrics> metrics);

}  // namespace swarmcopy::daemon
