// The activity page's data and its route: activity_page() reads the engine and the metrics at
// this moment and renders the page for one viewer. With a caller (the socket, SO_PEERCRED) the
// page lists that caller's live jobs (root: every user's), as the job API's views do; without
// one (the TCP listener of http_listen: loopback TCP carries no uid) it shows machine totals
// only, never a job's name, URL, path or owner. Calls the engine synchronously: run it on the
// handler pool. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "router.h"
#include "swarmcopy/engine/service.h"
#include "swarmcopy/metrics/metrics.h"

namespace swarmcopy::daemon {

inline constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";

std::string activity_page(engine::Service& service, metrics::Metrics& metrics,
                          const std::optional<engine::Caller>& viewer);

// GET /activity on the socket: the page for the caller.
void add_activity_routes(Router& router, std::shared_ptr<engine::Service> service,
                         std::shared_ptr<metrics::Metrics> metrics);

}  // namespace swarmcopy::daemon
