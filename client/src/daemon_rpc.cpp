#include "daemon_rpc.h"

#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::client {
namespace {

// For an answer without a readable {"error": ...}: the kind its status stands for (API.md).
api::ErrorKind kind_for_status(int status) {
  switch (status) {
    case 400:
    case 405:
    case 413:
      return api::ErrorKind::kInvalidArgument;
    case 404:
      return api::ErrorKind::kNotFound;
    case 409:
      return api::ErrorKind::kInvalidState;
    case 429:
      return api::ErrorKind::kLimitExceeded;
    case 503:
      return api::ErrorKind::kUnavailable;
    default:
      return api::ErrorKind::kInternal;
  }
}

std::string excerpt(const std::string& body) {
  constexpr std::size_t kMax = 200;
  return body.size() <= kMax ? body : body.substr(0, kMax) + "...";
}

api::Error protocol_error(const std::filesystem::path& socket, api::ErrorKind kind, int status,
                          std::string message) {
  return api::Error{api::ErrorContext::kGeneralQueueManager,
                    kind,
                    status,
                    std::move(message),
                    socket.string(),
                    api::Protocol::kLocal};
}

}  // namespace

api::Result<nlohmann::json> DaemonRpc::call(HttpRequest::Method method, const std::string& target,
                                            const std::optional<nlohmann::json>& body) {
  HttpRequest request{method, target, std::nullopt};
  if (body) request.body = body->dump();
  auto response = pool_.exchange(request);
  if (!response) return std::unexpected(response.error());

  auto json = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (response->status >= 200 && response->status < 300) {
    if (json.is_discarded()) {
      return std::unexpected(protocol_error(socket(), api::ErrorKind::kInternal, response->status,
                                            "swarmcopyd sent an answer that is not JSON to " +
                                                target + ": " + excerpt(response->body)));
    }
    return json;
  }
  if (!json.is_discarded() && json.is_object() && json.contains("error")) {
    auto error = ipc::error_from_json(json["error"]);
    if (error) return std::unexpected(std::move(*error));
  }
  return std::unexpected(
      protocol_error(socket(), kind_for_status(response->status), response->status,
                     "swarmcopyd answered HTTP " + std::to_string(response->status) + " to " +
                         target + ": " + excerpt(response->body)));
}

}  // namespace swarmcopy::client
