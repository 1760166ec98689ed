// The wire forms of the job API (daemon/API.md): the api's value types to and from JSON, as
// swarmcopyd answers and as RemoteManager reads them. Parsing is strict: a missing field, a
// wrong type or an unknown enum name is a kInvalidArgument error naming the field, never an
// exception. Request objects (FileSpec) also refuse unknown fields; objects the daemon sends
// (JobInfo, FileStatus, Error, Event) ignore fields they do not know, so a newer daemon may add
// some. Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_spec.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_info.h"
#include "swarmcopy/api/job_times.h"

namespace swarmcopy::ipc {

// RFC 3339 UTC with nanoseconds ("2026-11-26T05:36:31.123456789Z"); the zero time is null.
nlohmann::json time_to_json(api::Clock::time_point time);
api::Result<api::Clock::time_point> time_from_json(const nlohmann::json& value);

nlohmann::json to_json(const api::Error& error);
api::Result<api::Error> error_from_json(const nlohmann::json& value);

nlohmann::json to_json(const api::FileSpec& spec);
api::Result<api::FileSpec> file_spec_from_json(const nlohmann::json& value);

nlohmann::json to_json(const api::FileStatus& file);
api::Result<api::FileStatus> file_status_from_json(const nlohmann::json& value);

// Credential header values are masked ("Authorization: ***").
nlohmann::json to_json(const api::JobInfo& job);
api::Result<api::JobInfo> job_info_from_json(const nlohmann::json& value);

// One event line of GET /v1/events.
struct Event {
  enum class Type { kTransferred, kError, kModification, kFileTransferred };
  Type type = Type::kModification;
  api::JobId job;
  std::uint32_t owner_uid = 0;
  api::NotifyFlags notify_flags = api::kDefaultNotifyFlags;
  std::optional<api::Error> error;
  std::optional<api::FileStatus> file;
};
nlohmann::json to_json(const Event& event);
api::Result<Event> event_from_json(const nlohmann::json& value);

// The body of a failed call: {"error": Error}; and the HTTP status for an error's kind.
nlohmann::json error_body(const api::Error& error);
int http_status_for(api::ErrorKind kind);

// "Authorization: secret" -> "Authorization: ***" for credential headers; others unchanged.
std::string mask_credentials(const std::string& header);

}  // namespace swarmcopy::ipc
