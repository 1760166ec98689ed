#include "status_command.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "daemon_discovery.h"
#include "error_text.h"
#include "exit_code.h"
#include "format_units.h"
#include "home_history.h"
#include "logging.h"
#include "printable.h"
#include "swarmcopy/client/daemon_traffic.h"

namespace swarmcopy::cli {
namespace {

nlohmann::json totals_json(const client::TrafficTotals& totals) {
  nlohmann::json out = {{"origin", totals.origin},     {"peers", totals.peers},
                        {"cache", totals.cache},       {"received", totals.received()},
                        {"uploaded", totals.uploaded}, {"savings_ratio", totals.savings_ratio()}};
  if (!totals.day.empty()) out["day"] = totals.day;
  return out;
}

std::string percent(double ratio) { return fmt::format("{:.1f}%", ratio * 100.0); }

api::Result<client::DaemonTraffic> homes_traffic(const std::filesystem::path& home, int days) {
  auto json = home_traffic(std::filesystem::absolute(home), days);
  if (!json) return std::unexpected(json.error());
  auto traffic = client::traffic_from_json(*json);
  if (!traffic) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kInternal,
                     "the traffic history of " + home.string() + " has no days");
  }
  return *traffic;
}

}  // namespace

StatusCommand::StatusCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "status", "Where this machine's downloads came from, per day, and what peers spared");
  command_->add_flag("--json", json_, "Print JSON on stdout");
  command_->add_option("--days", days_, "Days to show, today included (1-400)")
      ->check(CLI::Range(1, 400))
      ->capture_default_str();
  auto* socket =
      command_->add_option("--socket", socket_, "The daemon's socket")->type_name("PATH");
  command_
      ->add_option("--home", home_,
                   "A home's own history instead of a daemon's: what `swarmcopy get --home DIR` "
                   "recorded there without a daemon (a user daemon on it records there too)")
      ->type_name("DIR")
      ->excludes(socket);
  command_->add_flag("-v,--verbose", verbosity_, "More log output on stderr (-vv: debug)");
  command_->footer(
      "Bytes of completed files by the source each byte came from first (the origin, LAN peers,\n"
      "the local cache; counted once per file, on the UTC day it completed), and bytes uploaded\n"
      "to peers. Savings: (peers + cache) / all received. The daemon keeps 400 days; the figures\n"
      "are the machine's (every user's), never a job's URLs or paths. The daemon is found at\n"
      "--socket, $SWARMCOPY_SOCKET, the system socket or the user socket; never started.\n"
      "--home DIR reads DIR's own history instead (what `swarmcopy get` recorded there).");
}

int StatusCommand::run() {
  configure_logging(verbosity_);
  DaemonChoice choice;
  if (!socket_.empty()) choice.socket_flag = std::filesystem::path(socket_);
  const auto daemons_traffic =
      [&](const DaemonChoice& chosen) -> api::Result<client::DaemonTraffic> {
    auto socket = find_daemon(chosen);
    if (!socket) return std::unexpected(socket.error());
    return client::daemon_traffic(*socket, days_);
  };
  auto fail = [](const api::Error& error) {
    fmt::print(stderr, "swarmcopy: error: {}\n", printable(error_text(error)));
    return kExitFailure;
  };
  auto traffic = home_.empty() ? daemons_traffic(choice) : homes_traffic(home_, days_);
  if (!traffic) return fail(traffic.error());
  if (json_) {
    auto days = nlohmann::json::array();
    for (const auto& day : traffic->days) days.push_back(totals_json(day));
    fmt::print("{}\n", nlohmann::json{{"days", std::move(days)},
                                      {"totals", totals_json(traffic->totals)},
                                      {"all_time", totals_json(traffic->all_time)}}
                           .dump());
    return kExitOk;
  }
  fmt::print("{:<10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>7}\n", "Day (UTC)", "Origin", "Peers",
             "Cache", "Uploaded", "Saved");
  bool any = false;
  for (const auto& day : traffic->days) {
    // Days without traffic are left out of the table (the JSON has every day).
    if (day.received() == 0 && day.uploaded == 0) continue;
    any = true;
    fmt::print("{:<10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>7}\n", day.day, format_bytes(day.origin),
               format_bytes(day.peers), format_bytes(day.cache), format_bytes(day.uploaded),
               percent(day.savings_ratio()));
  }
  if (!any) fmt::print("(no traffic in the last {} days)\n", days_);
  const auto& sum = traffic->totals;
  fmt::print("{:<10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>7}\n", fmt::format("{} days", days_),
             format_bytes(sum.origin), format_bytes(sum.peers), format_bytes(sum.cache),
             format_bytes(sum.uploaded), percent(sum.savings_ratio()));
  fmt::print("Savings ratio: {} of {} came from peers and the cache ({} all time)\n",
             percent(sum.savings_ratio()), format_bytes(sum.received()),
             percent(traffic->all_time.savings_ratio()));
  return kExitOk;
}

}  // namespace swarmcopy::cli
