#include "cache_routes.h"

#include <algorithm>
#include <string>
#include <utility>

#include "cache_json.h"
#include "request_body.h"

namespace swarmcopy::daemon {
namespace {

using nlohmann::json;

class CacheRoutes {
 public:
  CacheRoutes(std::shared_ptr<engine::Service> service, uid_t daemon_uid)
      : service_(std::move(service)), daemon_uid_(daemon_uid) {}

  Reply items(const RouteRequest& request) {
    auto items = service_->cache_items();
    if (!items) return Reply::error(items.error());
    // A key is a content hash: listing another user's would tell what they fetched, and name
    // the item to ask for. Users see the items they fetched themselves.
    const bool sees_all = may_clean_cache(request.caller, daemon_uid_);
    json list = json::array();
    for (const auto& item : *items) {
      if (sees_all ||
          std::find(item.users.begin(), item.users.end(), request.caller.uid) != item.users.end()) {
        list.push_back(to_json(item));
      }
    }
    return Reply::json(200, {{"items", std::move(list)}});
  }

  Reply stats(const RouteRequest&) {
    auto stats = stats_json();
    if (!stats) return Reply::error(stats.error());
    return Reply::json(200, *stats);
  }

  Reply clean(const RouteRequest& request, bool clear) {
    if (!may_clean_cache(request.caller, daemon_uid_)) {
      // 403, not the 404 of a foreign job: the endpoint exists for this caller (it may list).
      return Reply::error(
          403, caller_error(api::ErrorKind::kInvalidState,
                            std::string(clear ? "clearing" : "pruning") +
                                " the cache of this daemon needs root or the daemon's own user "
                                "(uid " +
                                std::to_string(request.caller.uid) + " is neither)"));
    }
    if (auto empty = expect_no_body(request.body); !empty) return Reply::error(empty.error());
    auto freed = clear ? service_->clear_cache() : service_->prune_cache();
    if (!freed) return Reply::error(freed.error());
    auto stats = stats_json();
    if (!stats) return Reply::error(stats.error());
    return Reply::json(200, {{"freed_bytes", *freed}, {"stats", std::move(*stats)}});
  }

 private:
  api::Result<json> stats_json() {
    auto stats = service_->cache_stats();
    if (!stats) return std::unexpected(stats.error());
    auto dir = service_->cache_dir();
    if (!dir) return std::unexpected(dir.error());
    return to_json(*stats, *dir);
  }

  std::shared_ptr<engine::Service> service_;
  uid_t daemon_uid_;
};

}  // namespace

bool may_clean_cache(const engine::Caller& caller, uid_t daemon_uid) {
  // A user daemon's callers are all its owner (the server refuses others), so this admits
  // them; a system daemon runs as root, so only root.
  return caller.admin || caller.uid == daemon_uid;
}

void add_cache_routes(Router& router, std::shared_ptr<engine::Service> service, uid_t daemon_uid) {
  auto routes = std::make_shared<CacheRoutes>(std::move(service), daemon_uid);
  router.add("GET", "/v1/cache", {},
             [routes](const RouteRequest& request) { return routes->items(request); });
  router.add("GET", "/v1/cache/stats", {},
             [routes](const RouteRequest& request) { return routes->stats(request); });
  router.add("POST", "/v1/cache/prune", {},
             [routes](const RouteRequest& request) { return routes->clean(request, false); });
  router.add("POST", "/v1/cache/clear", {},
             [routes](const RouteRequest& request) { return routes->clean(request, true); });
}

}  // namespace swarmcopy::daemon
