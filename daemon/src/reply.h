// Reply: what a route answers, independent of the HTTP library: a status and a JSON body, or
// (GET /v1/events) the start of an event stream. The session turns it into HTTP. Plain value.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "event_filter.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::daemon {

struct Reply {
  int status = 200;
  std::string body;  // JSON text with a final newline (or text of `content_type`)
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;                 // close the connection after this answer
  std::optional<EventFilter> stream;  // set: answer 200 and stream these events

  // `value` as the body; invalid UTF-8 in strings (a path from the file system) is replaced,
  // never a reason to fail.
  static Reply json(int status, const nlohmann::json& value);
  // `body` as it is, of `content_type` (GET /metrics: Prometheus text).
  static Reply text(int status, std::string body, std::string content_type);
  // {"error": Error} with the status of its kind (ipc::http_status_for).
  static Reply error(const api::Error& error);
  // {"error": Error} with a status chosen by the transport (405, 413, ...).
  static Reply error(int status, const api::Error& error);
};

// A kCaller error of `kind` for transport-level answers.
api::Error caller_error(api::ErrorKind kind, std::string message);

}  // namespace swarmcopy::daemon
