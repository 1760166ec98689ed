// Router: maps a method and a path to a handler. Patterns are literal segments and "{id}"
// ("/v1/jobs/{id}/files"). An unknown path answers 404 not_found; a known path with another
// method 405. The query string is parsed (percent-decoded) and only the names a route declares
// are accepted: a misspelt parameter is a 400, never ignored. Routes are added before serving;
// match() is then const and thread-safe.
#pragma once

#include <expected>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reply.h"
#include "route_request.h"

namespace swarmcopy::daemon {

using Handler = std::function<Reply(const RouteRequest&)>;

class Router {
 public:
  struct Match {
    const Handler* handler = nullptr;
    std::string id;
    std::map<std::string, std::string> query;
    std::string path;
  };

  void add(std::string method, std::string pattern, std::set<std::string> query_names,
           Handler handler);

  // `target` is the request target as sent ("/v1/jobs?all=1").
  std::expected<Match, Reply> match(std::string_view method, std::string_view target) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    std::set<std::string> query_names;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// "a=1&b=x%20y" -> {a: "1", b: "x y"}; nullopt for a bad escape or a repeated name.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace swarmcopy::daemon
