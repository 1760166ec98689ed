#include "job_text.h"

#include <ctime>

#include <fmt/format.h>

#include "error_text.h"
#include "format_units.h"
#include "parse_units.h"
#include "printable.h"
#include "swarmcopy/api/credentials.h"

namespace swarmcopy::cli {
namespace {

// "2026-11-26 05:36:31 UTC"; "-" for a time that has not happened (the zero time).
std::string time_text(api::Clock::time_point time) {
  if (time == api::Clock::time_point{}) return "-";
  const std::time_t t = api::Clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::string seconds_text(std::chrono::seconds duration) {
  const auto total = duration.count();
  if (total != 0 && total % 86400 == 0) return fmt::format("{} s ({} days)", total, total / 86400);
  return fmt::format("{} s", total);
}

// Whole seconds as seconds_text; a delay set through the API in milliseconds keeps them.
std::string milliseconds_text(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 != 0) return fmt::format("{} ms", duration.count());
  return seconds_text(std::chrono::duration_cast<std::chrono::seconds>(duration));
}

// Where the job's bytes came from, summed over its files: says at a glance whether peers or
// the cache helped, and what interruptions cost (bytes received again).
std::string sources_text(const api::JobInfo& info) {
  std::uint64_t origin = 0, peers = 0, cache = 0, refetched = 0;
  for (const auto& file : info.files) {
    origin += file.from_origin;
    peers += file.from_peers;
    cache += file.from_cache;
    refetched += file.refetched;
  }
  auto text = fmt::format("origin {}, peers {}, cache {}", format_bytes(origin),
                          format_bytes(peers), format_bytes(cache));
  if (refetched > 0) text += "; refetched " + format_bytes(refetched);
  return text;
}

}  // namespace

std::string job_progress_text(const api::Progress& progress) {
  // An empty job has transferred "all" of nothing: 0 B / 0 B (100%) would read as done.
  if (progress.files_total == 0) return "no files";
  return progress_text(progress.bytes_transferred, progress.bytes_total);
}

std::string progress_text(std::uint64_t done, const std::optional<std::uint64_t>& total) {
  if (!total) return format_bytes(done) + " / ?";
  const int percent =
      *total == 0 ? 100
                  : static_cast<int>(static_cast<double>(done) * 100 / static_cast<double>(*total));
  return fmt::format("{} / {} ({}%)", format_bytes(done), format_bytes(*total), percent);
}

std::string job_details_text(const api::JobInfo& info) {
  std::string text = fmt::format("job {}  {}\n", info.id.to_string(), printable(info.display_name));
  const auto row = [&](std::string_view name, const std::string& value) {
    text += fmt::format("  {:<20} {}\n", name, value);
  };
  if (!info.description.empty()) row("description", printable(info.description));
  row("state", std::string(api::to_string(info.state)));
  if (info.error) row("error", printable(error_text(*info.error)));
  row("errors", fmt::format("{} transient", info.error_count));
  row("type", std::string(api::to_string(info.type)));
  row("priority", std::string(api::to_string(info.priority)));
  row("progress", info.progress.files_total == 0
                      ? job_progress_text(info.progress)
                      : fmt::format("{}, {} of {} files", job_progress_text(info.progress),
                                    info.progress.files_transferred, info.progress.files_total));
  row("bytes by source", sources_text(info));
  row("created", time_text(info.times.creation_time));
  row("modified", time_text(info.times.modification_time));
  row("transferred", time_text(info.times.transfer_completion_time));
  row("no-progress timeout", seconds_text(info.no_progress_timeout));
  row("min retry delay", milliseconds_text(info.min_retry_delay));
  row("notify", fmt::format("{:#x} ({})", static_cast<std::uint32_t>(info.notify_flags),
                            notify_flags_names(info.notify_flags)));
  row("rate limit", info.max_bytes_per_second == 0
                        ? std::string("none")
                        : format_rate(static_cast<double>(info.max_bytes_per_second)));
  for (const auto& header : info.http_headers) row("header", printable(api::mask_header(header)));
  row("proxy", printable(api::describe(info.proxy)));
  if (!info.proxy.bypass.empty()) {
    std::string hosts;
    for (const auto& host : info.proxy.bypass) hosts += (hosts.empty() ? "" : ", ") + host;
    row("proxy bypass", printable(hosts));
  }
  if (!info.notify_cmd.empty()) {
    std::string command;
    for (const auto& arg : info.notify_cmd) {
      command += (command.empty() ? "" : " ") + fmt::format("'{}'", printable(arg));
    }
    row("notify command", command);
    row("notify status", info.notify_cmd_status ? fmt::format("exit {}", *info.notify_cmd_status)
                                                : std::string("not run"));
  }
  row("owner uid", std::to_string(info.owner_uid));
  if (!info.files.empty()) text += "  files\n";
  for (const auto& file : info.files) {
    text += fmt::format(
        "    {} -> {}\n      {}{}{}\n", printable(api::mask_url(file.url)),
        printable(file.local_path), progress_text(file.bytes_transferred, file.bytes_total),
        file.completed ? ", complete" : "",
        file.origin_ignores_range ? ", origin ignores Range (a resume starts from byte 0)" : "");
  }
  return text;
}

std::string job_list_text(const std::vector<api::JobInfo>& jobs) {
  if (jobs.empty()) return "no jobs\n";
  std::string text = fmt::format("{:<36}  {:<15}  {:<30}  {}\n", "ID", "STATE", "PROGRESS", "NAME");
  for (const auto& job : jobs) {
    text +=
        fmt::format("{:<36}  {:<15}  {:<30}  {}\n", job.id.to_string(), api::to_string(job.state),
                    job_progress_text(job.progress), printable(job.display_name));
  }
  return text;
}

}  // namespace swarmcopy::cli
