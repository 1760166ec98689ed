#include "cache_routes.h"

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

  // The engine's view for this caller lists what it may see (engine::Service::cache_admin).
  Reply items(const RouteRequest& request) {
    auto items = service_->cache_admin(request.caller)->items();
    if (!items) return Reply::error(items.error());
    json list = json::array();
    for (const auto& item : *items) list.push_back(to_json(item));
    return Reply::json(200, {{"items", std::move(list)}});
  }

  Reply stats(const RouteRequest& request) {
    auto stats = service_->cache_admin(request.caller)->stats();
    if (!stats) return Reply::error(stats.error());
    return Reply::json(200, to_json(*stats));
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
    auto admin = service_->cache_admin(request.caller);
    auto cleanup = clear ? admin->clear() : admin->prune();
    if (!cleanup) return Reply::error(cleanup.error());
    return Reply::json(200,
                       {{"freed_bytes", cleanup->freed_bytes}, {"stats", to_json(cleanup->stats)}});
  }

 private:
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
