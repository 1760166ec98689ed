#include "swarmcopy/client/daemon_status.h"

#include "daemon_rpc.h"
#include "remote_context.h"

namespace swarmcopy::client {

api::Result<DaemonStatus> daemon_status(const std::filesystem::path& socket,
                                        std::chrono::milliseconds timeout) {
  DaemonRpc rpc(socket, timeout);
  auto answer = rpc.call(HttpRequest::Method::kGet, "/v1/status");
  if (!answer) return std::unexpected(answer.error());
  const auto& json = *answer;
  DaemonStatus status;
  // Strict on the one field that decides whether we can talk at all, lenient on the rest.
  if (!json.is_object() || !json.contains("api") || !json["api"].is_number_integer()) {
    return std::unexpected(bad_answer(socket, "GET /v1/status: no \"api\" version"));
  }
  status.api = json["api"].get<int>();
  if (json.contains("version") && json["version"].is_string()) status.version = json["version"];
  if (json.contains("mode") && json["mode"].is_string()) status.mode = json["mode"];
  if (json.contains("uid") && json["uid"].is_number_unsigned()) status.uid = json["uid"];
  if (json.contains("jobs") && json["jobs"].is_number_unsigned()) status.jobs = json["jobs"];
  return status;
}

}  // namespace swarmcopy::client
