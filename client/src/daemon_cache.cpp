#include "swarmcopy/client/daemon_cache.h"

#include <nlohmann/json.hpp>

#include "daemon_rpc.h"
#include "remote_context.h"
#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::client {
namespace {

using nlohmann::json;

// Reads the fields of one answer, remembering the first that is missing or of the wrong type,
// so that each decoder below reads straight through and reports once.
class Fields {
 public:
  Fields(const json& object, std::string what) : object_(object), what_(std::move(what)) {
    if (!object_.is_object()) problem_ = what_ + ": not an object";
  }

  std::uint64_t count(const char* name) {
    const auto* value = find(name);
    if (value == nullptr) return 0;
    if (!value->is_number_unsigned()) {
      wrong(name);
      return 0;
    }
    return value->get<std::uint64_t>();
  }
  bool boolean(const char* name) {
    const auto* value = find(name);
    if (value == nullptr) return false;
    if (!value->is_boolean()) {
      wrong(name);
      return false;
    }
    return value->get<bool>();
  }
  std::string text(const char* name) {
    const auto* value = find(name);
    if (value == nullptr) return {};
    if (!value->is_string()) {
      wrong(name);
      return {};
    }
    return value->get<std::string>();
  }
  api::Clock::time_point time(const char* name) {
    const auto* value = find(name);
    if (value == nullptr || value->is_null()) return {};
    auto parsed = ipc::time_from_json(*value);
    if (!parsed) {
      wrong(name);
      return {};
    }
    return *parsed;
  }

  // The first problem found, as the error of the whole answer.
  api::Result<void> check(const std::filesystem::path& socket) const {
    if (problem_.empty()) return {};
    return std::unexpected(bad_answer(socket, problem_));
  }

 private:
  const json* find(const char* name) {
    if (!problem_.empty()) return nullptr;
    const auto it = object_.find(name);
    if (it == object_.end()) {
      problem_ = what_ + ": no \"" + name + "\"";
      return nullptr;
    }
    return &*it;
  }
  void wrong(const char* name) { problem_ = what_ + ": \"" + name + "\" has the wrong type"; }

  const json& object_;
  std::string what_;
  std::string problem_;
};

api::Result<api::CacheStats> stats_from_json(const std::filesystem::path& socket, const json& value,
                                             const std::string& what) {
  Fields fields(value, what);
  api::CacheStats stats;
  stats.dir = fields.text("dir");
  stats.items = fields.count("items");
  stats.bytes = fields.count("bytes");
  stats.max_bytes = fields.count("max_bytes");
  stats.pinned_items = fields.count("pinned_items");
  stats.hits = fields.count("hits");
  stats.misses = fields.count("misses");
  if (auto ok = fields.check(socket); !ok) return std::unexpected(ok.error());
  return stats;
}

api::Result<api::CacheItem> item_from_json(const std::filesystem::path& socket, const json& value) {
  Fields fields(value, "GET /v1/cache: item");
  api::CacheItem item;
  item.key = fields.text("key");
  item.bytes = fields.count("bytes");
  item.added = fields.time("added");
  item.last_used = fields.time("last_used");
  item.pins = static_cast<std::uint32_t>(fields.count("pins"));
  item.verified = fields.boolean("verified");
  item.partial = fields.boolean("partial");
  item.shared = fields.boolean("shared");
  if (auto ok = fields.check(socket); !ok) return std::unexpected(ok.error());
  return item;
}

api::Result<api::CacheCleanup> clean(const std::filesystem::path& socket,
                                     std::chrono::milliseconds timeout, const std::string& target) {
  DaemonRpc rpc(socket, timeout);
  auto answer = rpc.call(HttpRequest::Method::kPost, target, json::object());
  if (!answer) return std::unexpected(answer.error());
  Fields fields(*answer, "POST " + target);
  api::CacheCleanup cleanup;
  cleanup.freed_bytes = fields.count("freed_bytes");
  if (auto ok = fields.check(socket); !ok) return std::unexpected(ok.error());
  if (!answer->contains("stats")) {
    return std::unexpected(bad_answer(socket, "POST " + target + ": no \"stats\""));
  }
  auto stats = stats_from_json(socket, (*answer)["stats"], "POST " + target + ": stats");
  if (!stats) return std::unexpected(stats.error());
  cleanup.stats = std::move(*stats);
  return cleanup;
}

// One request per call, on a connection of its own.
class DaemonCache final : public api::CacheAdmin {
 public:
  DaemonCache(std::filesystem::path socket, std::chrono::milliseconds timeout,
              std::chrono::milliseconds cleanup_timeout)
      : socket_(std::move(socket)), timeout_(timeout), cleanup_timeout_(cleanup_timeout) {}

  // GET /v1/cache: most recently used first.
  api::Result<std::vector<api::CacheItem>> items() override {
    DaemonRpc rpc(socket_, timeout_);
    auto answer = rpc.call(HttpRequest::Method::kGet, "/v1/cache");
    if (!answer) return std::unexpected(answer.error());
    if (!answer->is_object() || !answer->contains("items") || !(*answer)["items"].is_array()) {
      return std::unexpected(bad_answer(socket_, "GET /v1/cache: no \"items\" list"));
    }
    std::vector<api::CacheItem> items;
    for (const auto& value : (*answer)["items"]) {
      auto item = item_from_json(socket_, value);
      if (!item) return std::unexpected(item.error());
      items.push_back(std::move(*item));
    }
    return items;
  }

  api::Result<api::CacheStats> stats() override {
    DaemonRpc rpc(socket_, timeout_);
    auto answer = rpc.call(HttpRequest::Method::kGet, "/v1/cache/stats");
    if (!answer) return std::unexpected(answer.error());
    return stats_from_json(socket_, *answer, "GET /v1/cache/stats");
  }

  api::Result<api::CacheCleanup> prune() override {
    return clean(socket_, cleanup_timeout_, "/v1/cache/prune");
  }
  api::Result<api::CacheCleanup> clear() override {
    return clean(socket_, cleanup_timeout_, "/v1/cache/clear");
  }

 private:
  std::filesystem::path socket_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds cleanup_timeout_;
};

}  // namespace

std::unique_ptr<api::CacheAdmin> connect_cache(const std::filesystem::path& socket,
                                               std::chrono::milliseconds timeout,
                                               std::chrono::milliseconds cleanup_timeout) {
  return std::make_unique<DaemonCache>(socket, timeout, cleanup_timeout);
}

}  // namespace swarmcopy::client
