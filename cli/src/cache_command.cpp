#include "cache_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cache_opener.h"
#include "error_text.h"
#include "exit_code.h"
#include "format_units.h"
#include "logging.h"
#include "printable.h"

namespace swarmcopy::cli {
namespace {

std::int64_t seconds_since_epoch(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

nlohmann::json stats_json(const api::CacheStats& stats) {
  return {{"items", stats.items},
          {"bytes", stats.bytes},
          {"max_bytes", stats.max_bytes},
          {"pinned_items", stats.pinned_items}};
}

int failure(const api::Error& error) {
  fmt::print(stderr, "swarmcopy: error: {}\n", printable(error_text(error)));
  return kExitFailure;
}

}  // namespace

CacheCommand::CacheCommand(CLI::App& app) {
  command_ =
      app.add_subcommand("cache", "Inspect and clean the content cache of a state directory");
  command_->require_subcommand(1);
  list_ = command_->add_subcommand("list", "List cached items, most recently used first");
  stats_ = command_->add_subcommand("stats", "Items, bytes and the size limit");
  prune_ = command_->add_subcommand("prune", "Evict items past the age or size limits now");
  clear_ = command_->add_subcommand("clear", "Remove every cached item no job or swarm is using");
  // Options on `cache` itself; fallthrough lets them follow the verb too (cache list --json),
  // and HelpFormatter lists them in the verb's --help.
  add_common_options(*command_, common_);
  command_->add_flag("--json", json_, "Print JSON on stdout");
  auto* daemon = command_->add_flag("--daemon", daemon_,
                                    "Work on the cache of the swarmcopy daemon (see below)");
  auto* socket = command_->add_option("--socket", socket_, "The daemon's socket (implies --daemon)")
                     ->type_name("PATH");
  // The daemon names its own state directory: a --home beside them would be silently ignored.
  daemon->excludes(common_.home_option);
  socket->excludes(common_.home_option);
  for (auto* sub : {list_, stats_, prune_, clear_}) sub->fallthrough();
  command_->footer(
      "The cache keeps files whose SHA-256 was verified, so that the same content under any URL\n"
      "is not fetched again. It lives in the state directory (--home). While swarmcopyd holds\n"
      "that directory the command asks the daemon (found at $SWARMCOPY_SOCKET, the system\n"
      "socket or the user socket) instead; --daemon or --socket PATH ask a daemon directly\n"
      "(--socket, else $SWARMCOPY_SOCKET, else the system daemon, else the user daemon; never\n"
      "started). Any user may list a daemon's cache; prune and clear need root or the daemon's\n"
      "own user. Another holder (a running get): exit 2.");
}

int CacheCommand::run() {
  configure_logging(common_.verbosity);
  CacheTarget target;
  target.home_flag = common_.home_flag();
  target.daemon = daemon_;
  if (!socket_.empty()) target.socket = std::filesystem::path(socket_);
  auto source = open_cache_admin(target);
  if (!source) return failure(source.error());
  auto& cache = **source;
  if (list_->parsed()) {
    const auto items = cache.items();
    if (!items) return failure(items.error());
    if (json_) {
      auto out = nlohmann::json::array();
      for (const auto& item : *items) {
        out.push_back({{"key", item.key},
                       {"bytes", item.bytes},
                       {"added", seconds_since_epoch(item.added)},
                       {"last_used", seconds_since_epoch(item.last_used)},
                       {"verified", item.verified}});
      }
      fmt::print("{}\n", out.dump());
    } else {
      for (const auto& item : *items) {
        fmt::print("{}  {:>10}  last used {:%Y-%m-%d %H:%M}\n", item.key, format_bytes(item.bytes),
                   fmt::gmtime(std::chrono::system_clock::to_time_t(item.last_used)));
      }
    }
    return kExitOk;
  }
  if (stats_->parsed()) {
    const auto stats = cache.stats();
    if (!stats) return failure(stats.error());
    if (json_) {
      fmt::print("{}\n", stats_json(*stats).dump());
    } else {
      fmt::print("{} items, {} of {}\n", stats->items, format_bytes(stats->bytes),
                 format_bytes(stats->max_bytes));
    }
    return kExitOk;
  }
  auto cleaned = prune_->parsed() ? cache.prune() : cache.clear();
  if (!cleaned) return failure(cleaned.error());
  if (json_) {
    auto out = stats_json(cleaned->stats);
    out["freed_bytes"] = cleaned->freed_bytes;
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("freed {}\n", format_bytes(cleaned->freed_bytes));
  }
  return kExitOk;
}

}  // namespace swarmcopy::cli
