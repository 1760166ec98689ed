#include "cache_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "exit_code.h"
#include "format_units.h"
#include "logging.h"
#include "state_dir.h"
#include "swarmcopy/engine/cache_admin.h"

namespace swarmcopy::cli {
namespace {

std::int64_t seconds_since_epoch(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

nlohmann::json stats_json(const cache::CacheStats& stats) {
  return {{"items", stats.items},
          {"bytes", stats.bytes},
          {"max_bytes", stats.max_bytes},
          {"pinned_items", stats.pinned_items}};
}

}  // namespace

CacheCommand::CacheCommand(CLI::App& app) {
  command_ =
      app.add_subcommand("cache", "Inspect and clean the content cache of a state directory");
  command_->require_subcommand(1);
  list_ = command_->add_subcommand("list", "List cached items, most recently used first");
  stats_ = command_->add_subcommand("stats", "Items, bytes and the size limit");
  prune_ = command_->add_subcommand("prune", "Evict items past the age or size limits now");
  clear_ = command_->add_subcommand("clear", "Remove every cached item");
  // Options on `cache` itself; fallthrough lets them follow the verb too (cache list --json).
  add_common_options(*command_, common_);
  command_->add_flag("--json", json_, "Print JSON on stdout");
  for (auto* sub : {list_, stats_, prune_, clear_}) sub->fallthrough();
  command_->footer(
      "The cache keeps files whose SHA-256 was verified, so that the same content under any URL\n"
      "is not fetched again. It lives in the state directory (--home); an engine using that\n"
      "directory (a running get, a user daemon) holds it: then this command exits 2.");
}

int CacheCommand::run() {
  configure_logging(common_.verbosity);
  auto home = resolve_state_dir(common_.home_flag());
  if (!home) {
    fmt::print(stderr, "swarmcopy: error: {}\n", home.error());
    return kExitFailure;
  }
  auto admin = engine::CacheAdmin::open(*home);
  if (!admin) {
    fmt::print(stderr, "swarmcopy: error: {}\n", admin.error().describe());
    return kExitFailure;
  }
  auto& store = (*admin)->store();
  if (list_->parsed()) {
    const auto items = store.list();
    if (json_) {
      auto out = nlohmann::json::array();
      for (const auto& item : items) {
        out.push_back({{"key", item.key},
                       {"bytes", item.size},
                       {"added", seconds_since_epoch(item.added)},
                       {"last_used", seconds_since_epoch(item.last_used)},
                       {"verified", item.verified}});
      }
      fmt::print("{}\n", out.dump());
    } else {
      for (const auto& item : items) {
        fmt::print("{}  {:>10}  last used {:%Y-%m-%d %H:%M}\n", item.key, format_bytes(item.size),
                   fmt::gmtime(std::chrono::system_clock::to_time_t(item.last_used)));
      }
    }
    return kExitOk;
  }
  if (stats_->parsed()) {
    const auto stats = store.stats();
    if (json_) {
      fmt::print("{}\n", stats_json(stats).dump());
    } else {
      fmt::print("{} items, {} of {}\n", stats.items, format_bytes(stats.bytes),
                 format_bytes(stats.max_bytes));
    }
    return kExitOk;
  }
  auto freed = prune_->parsed() ? store.prune() : store.clear();
  if (!freed) {
    fmt::print(stderr, "swarmcopy: error: {}\n", freed.error().describe());
    return kExitFailure;
  }
  if (json_) {
    auto out = stats_json(store.stats());
    out["freed_bytes"] = *freed;
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("freed {}\n", format_bytes(*freed));
  }
  return kExitOk;
}

}  // namespace swarmcopy::cli
