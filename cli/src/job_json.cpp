#include "job_json.h"

#include <cctype>
#include <ctime>
#include <string>

#include <fmt/format.h>

namespace swarmcopy::cli {
namespace {

nlohmann::json time_to_json(api::Clock::time_point time) {
  // The api's "has not happened yet" is the epoch; JSON readers are better served by null.
  if (time == api::Clock::time_point{}) return nullptr;
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
  const std::time_t t = seconds.count();
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", text, millis.count());
}

template <class T>
nlohmann::json optional_to_json(const std::optional<T>& value) {
  if (!value) return nullptr;
  return *value;
}

// Credentials must not end up in logs and terminal scroll-back just because someone ran
// `--json`: the value of a header that usually carries one is masked.
std::string redact_header(const std::string& header) {
  const auto colon = header.find(':');
  std::string name = header.substr(0, colon);
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "authorization" || lower == "proxy-authorization" || lower == "cookie") {
    return name + ": ***";
  }
  return header;
}

}  // namespace

nlohmann::json error_to_json(const api::Error& error) {
  return {
      {"context", api::to_string(error.context)},
      {"kind", api::to_string(error.kind)},
      {"code", error.code},
      {"message", error.message},
      {"protocol", api::to_string(error.protocol)},
      {"file", error.file},
  };
}

nlohmann::json file_to_json(const api::FileStatus& file) {
  return {
      {"url", file.url},
      {"path", file.local_path},
      {"sha256", optional_to_json(file.sha256)},
      {"bytes_total", optional_to_json(file.bytes_total)},
      {"bytes_transferred", file.bytes_transferred},
      {"completed", file.completed},
      {"from_origin", file.from_origin},
      {"from_peers", file.from_peers},
      {"from_cache", file.from_cache},
  };
}

nlohmann::json job_to_json(const api::JobInfo& info) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : info.files) files.push_back(file_to_json(file));
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& header : info.http_headers) headers.push_back(redact_header(header));
  return {
      {"job", info.id.to_string()},
      {"name", info.display_name},
      {"type", api::to_string(info.type)},
      {"state", api::to_string(info.state)},
      {"priority", api::to_string(info.priority)},
      {"progress",
       {
           {"bytes_total", optional_to_json(info.progress.bytes_total)},
           {"bytes_transferred", info.progress.bytes_transferred},
           {"files_total", info.progress.files_total},
           {"files_transferred", info.progress.files_transferred},
       }},
      {"times",
       {
           {"created", time_to_json(info.times.creation_time)},
           {"modified", time_to_json(info.times.modification_time)},
           {"transferred", time_to_json(info.times.transfer_completion_time)},
       }},
      {"error", info.error ? error_to_json(*info.error) : nlohmann::json(nullptr)},
      {"no_progress_timeout_seconds", info.no_progress_timeout.count()},
      {"notify_flags", static_cast<std::uint32_t>(info.notify_flags)},
      {"http_headers", std::move(headers)},
      {"max_bytes_per_second", info.max_bytes_per_second},
      {"owner_uid", info.owner_uid},
      {"files", std::move(files)},
  };
}

}  // namespace swarmcopy::cli
