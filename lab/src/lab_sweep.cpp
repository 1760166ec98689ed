#include "lab_sweep.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "lab_report.h"
#include "lab_run.h"
#include "report_files.h"
#include "stop_signal.h"
#include "units.h"

namespace swarmcopy::lab {
namespace {

using nlohmann::json;

std::string figure(const json& value, const char* format) {
  return value.is_number() ? fmt::format(fmt::runtime(format), value.get<double>())
                           : std::string("-");
}

constexpr const char* kRowFormat =
    "  {:<10}{:>6}{:>12}{:>8}{:>9}{:>9}{:>9}{:>9}{:>8}{:>8}{:>8}{:>10}\n";

void print_header() {
  fmt::print(kRowFormat, "mode", "peers", "origin_MiB", "egress", "ideal_s", "first_s", "median_s",
             "last_s", "last/id", "peers%", "cpu_s", "max_rss");
}

void print_row(const json& report) {
  const auto usage = peer_usage(report);
  const int peers = report["peers"].get<int>();
  fmt::print(
      kRowFormat, report["mode"].get<std::string>(), peers,
      fmt::format("{:.1f}", report["origin_bytes"].get<double>() / (1024.0 * 1024.0)),
      figure(report["origin_egress_ratio"], "{:.3f}"), figure(report["ideal_seconds"], "{:.2f}"),
      figure(report["first_finish_seconds"], "{:.2f}"),
      figure(report["median_finish_seconds"], "{:.2f}"),
      figure(report["last_finish_seconds"], "{:.2f}"),
      figure(report["last_finish_ratio"], "{:.2f}"), figure(report["peer_bytes_pct"], "{:.1f}"),
      fmt::format("{:.2f}", usage.cpu_seconds / peers), format_bytes(usage.max_rss_bytes));
}

}  // namespace

int run_sweep(const SweepSettings& sweep) {
  std::vector<json> reports;
  int exit_code = 0;
  for (const auto& mode : sweep.modes) {
    for (const int peers : sweep.peer_counts) {
      if (stop_requested()) break;
      RunSettings settings = sweep.base;
      settings.mode = mode;
      settings.peers = peers;
      // --tracker serves the group runs; the other modes' peers would not use it.
      if (mode != "group") settings.tracker = false;
      spdlog::info("sweep: {} mode, {} peers", mode, peers);
      auto report = run_once(settings);
      if (!report) {
        fmt::print(stderr, "swarmcopy-lab: sweep: {} mode, {} peers: {}\n", mode, peers,
                   report.error().message);
        exit_code = report.error().exit_code;
        continue;
      }
      if (!every_file_right(*report)) {
        fmt::print(stderr,
                   "swarmcopy-lab: sweep: {} mode, {} peers: not every peer has the right file\n",
                   mode, peers);
        exit_code = kExitFailure;
      }
      reports.push_back(std::move(*report));
    }
  }
  fmt::print("\n");
  print_header();
  for (const auto& report : reports) print_row(report);
  fmt::print("  (cpu_s: mean CPU seconds per peer process; max_rss: the largest peer's)\n");
  if (auto written = write_sweep_report(sweep.report_dir, reports); !written) {
    fmt::print(stderr, "swarmcopy-lab: sweep report: {}\n", written.error().message);
    return kExitFailure;
  }
  fmt::print("\nreport: {}\n", (sweep.report_dir / "report.md").string());
  return stop_requested() ? kExitStopped : exit_code;
}

}  // namespace swarmcopy::lab
