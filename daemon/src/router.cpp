#include "router.h"

#include <optional>

namespace swarmcopy::daemon {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_digit(text[i + 1]);
      const int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// True when `segments` fit the route's pattern; `id` receives the {id} segment.
bool fits(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
          std::string* id) {
  if (pattern.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (pattern[i] == "{id}") {
      if (segments[i].empty()) return false;
      if (id != nullptr) *id = segments[i];
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> values;
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const auto pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals));
    auto value = percent_decode(equals == std::string_view::npos ? std::string_view()
                                                                 : pair.substr(equals + 1));
    if (!name || !value || name->empty()) return std::nullopt;
    if (!values.emplace(std::move(*name), std::move(*value)).second) return std::nullopt;
  }
  return values;
}

void Router::add(std::string method, std::string pattern, std::set<std::string> query_names,
                 Handler handler) {
  routes_.push_back(
      Route{std::move(method), split_path(pattern), std::move(query_names), std::move(handler)});
}

std::expected<Router::Match, Reply> Router::match(std::string_view method,
                                                  std::string_view target) const {
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  if (path.empty() || path.front() != '/') {
    return std::unexpected(Reply::error(
        400, caller_error(api::ErrorKind::kInvalidArgument, "request target must be a path")));
  }
  const auto segments = split_path(path);
  bool path_known = false;
  for (const auto& route : routes_) {
    std::string id;
    if (!fits(route.segments, segments, &id)) continue;
    path_known = true;
    if (route.method != method) continue;
    Match match{&route.handler, std::move(id), {}, std::string(path)};
    if (question != std::string_view::npos) {
      auto query = parse_query(target.substr(question + 1));
      if (!query) {
        return std::unexpected(
            Reply::error(caller_error(api::ErrorKind::kInvalidArgument, "malformed query string")));
      }
      for (const auto& [name, value] : *query) {
        if (!route.query_names.contains(name)) {
          return std::unexpected(Reply::error(caller_error(
              api::ErrorKind::kInvalidArgument, "unknown query parameter \"" + name + "\"")));
        }
      }
      match.query = std::move(*query);
    }
    return match;
  }
  if (path_known) {
    Reply reply = Reply::error(
        405, caller_error(api::ErrorKind::kInvalidArgument,
                          "method " + std::string(method) + " is not allowed on this path"));
    std::string allow;
    for (const auto& route : routes_) {
      if (fits(route.segments, segments, nullptr))
        allow += (allow.empty() ? "" : ", ") + route.method;
    }
    reply.headers.emplace_back("Allow", allow);
    return std::unexpected(std::move(reply));
  }
  return std::unexpected(Reply::error(
      caller_error(api::ErrorKind::kNotFound, "no such endpoint: " + std::string(path))));
}

}  // namespace swarmcopy::daemon
