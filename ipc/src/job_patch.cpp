#include "swarmcopy/ipc/job_patch.h"

#include <limits>

#include "codec_internal.h"
#include "object_reader.h"

namespace swarmcopy::ipc {

nlohmann::json to_json(const JobPatch& patch) {
  nlohmann::json json = nlohmann::json::object();
  if (patch.priority) json["priority"] = api::to_string(*patch.priority);
  if (patch.no_progress_timeout) json["no_progress_timeout"] = patch.no_progress_timeout->count();
  if (patch.notify_flags) json["notify_flags"] = static_cast<std::uint32_t>(*patch.notify_flags);
  if (patch.http_headers) json["http_headers"] = *patch.http_headers;
  if (patch.max_bytes_per_second) json["max_bytes_per_second"] = *patch.max_bytes_per_second;
  if (patch.display_name) json["name"] = *patch.display_name;
  if (patch.description) json["description"] = *patch.description;
  if (patch.min_retry_delay) json["min_retry_delay_ms"] = patch.min_retry_delay->count();
  if (patch.notify_cmd) json["notify_cmd"] = *patch.notify_cmd;
  if (patch.proxy) json["proxy"] = proxy_to_json(*patch.proxy, false);
  return json;
}

api::Result<JobPatch> job_patch_from_json(const nlohmann::json& value) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, ""));
  if (auto known =
          reader->reject_unknown({"priority", "no_progress_timeout", "notify_flags", "http_headers",
                                  "max_bytes_per_second", "name", "description",
                                  "min_retry_delay_ms", "notify_cmd", "proxy"});
      !known) {
    return std::unexpected(known.error());
  }
  JobPatch patch;
  if (reader->find("priority")) {
    SWARMCOPY_READ(text, reader->string("priority"));
    patch.priority = api::parse_priority(*text);
    if (!patch.priority) {
      return field_error("priority",
                         "unknown priority \"" + *text + "\" (foreground, high, normal or low)");
    }
  }
  if (reader->find("no_progress_timeout")) {
    SWARMCOPY_READ(seconds,
                   reader->unsigned_integer(
                       "no_progress_timeout",
                       static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())));
    patch.no_progress_timeout = std::chrono::seconds(static_cast<std::int64_t>(*seconds));
  }
  if (reader->find("notify_flags")) {
    SWARMCOPY_READ(flags, reader->unsigned_integer("notify_flags", api::kAllNotifyBits));
    patch.notify_flags = static_cast<api::NotifyFlags>(*flags);
  }
  if (reader->find("http_headers")) {
    SWARMCOPY_READ(headers, reader->string_array("http_headers"));
    patch.http_headers = std::move(*headers);
  }
  if (reader->find("max_bytes_per_second")) {
    SWARMCOPY_READ(rate, reader->unsigned_integer("max_bytes_per_second"));
    patch.max_bytes_per_second = *rate;
  }
  if (reader->find("name")) {
    SWARMCOPY_READ(name, reader->string("name"));
    patch.display_name = std::move(*name);
  }
  if (reader->find("description")) {
    SWARMCOPY_READ(description, reader->string("description"));
    patch.description = std::move(*description);
  }
  if (reader->find("min_retry_delay_ms")) {
    // The engine checks the range (1 ms to 1 day); the bound here only keeps the count exact.
    SWARMCOPY_READ(delay, reader->unsigned_integer("min_retry_delay_ms",
                                                   static_cast<std::uint64_t>(
                                                       std::numeric_limits<std::int32_t>::max())));
    patch.min_retry_delay = std::chrono::milliseconds(static_cast<std::int64_t>(*delay));
  }
  if (reader->find("notify_cmd")) {
    SWARMCOPY_READ(argv, reader->string_array("notify_cmd"));
    patch.notify_cmd = std::move(*argv);
  }
  if (const auto* proxy_json = reader->find("proxy")) {
    SWARMCOPY_READ(proxy, proxy_from_json_at(*proxy_json, reader->path("proxy")));
    patch.proxy = std::move(*proxy);
  }
  return patch;
}

}  // namespace swarmcopy::ipc
