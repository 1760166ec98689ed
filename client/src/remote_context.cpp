#include "remote_context.h"

#include "remote_job.h"
#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::client {

std::string job_target(const api::JobId& id, const std::string& suffix) {
  return "/v1/jobs/" + id.to_string() + suffix;
}

api::Error bad_answer(const std::filesystem::path& socket, const std::string& why) {
  return api::Error{api::ErrorContext::kGeneralQueueManager,
                    api::ErrorKind::kInternal,
                    0,
                    "swarmcopyd sent an answer this client cannot read: " + why,
                    socket.string(),
                    api::Protocol::kLocal};
}

std::shared_ptr<RemoteContext> RemoteContext::create(const std::filesystem::path& socket,
                                                     const ConnectOptions& options) {
  std::shared_ptr<RemoteContext> context(new RemoteContext(socket, options));  // private
  // Callbacks get handles of their own; a weak reference, so that the context (which owns
  // the callbacks) is not kept alive by itself.
  std::weak_ptr<RemoteContext> weak = context;
  context->notifications_ = std::make_unique<Notifications>(
      context->rpc_, options.all_users, [weak](const api::JobId& id) -> std::shared_ptr<api::Job> {
        auto strong = weak.lock();
        if (!strong) return nullptr;
        return std::make_shared<RemoteJob>(std::move(strong), id);
      });
  return context;
}

RemoteContext::RemoteContext(const std::filesystem::path& socket, const ConnectOptions& options)
    : options_(options), rpc_(std::make_shared<DaemonRpc>(socket, options.call_timeout)) {}

api::Result<nlohmann::json> RemoteContext::call(HttpRequest::Method method,
                                                const std::string& target,
                                                const std::optional<nlohmann::json>& body) {
  if (closed_) {
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                     "the manager is closed", 0, socket().string(), api::Protocol::kLocal);
  }
  return rpc_->call(method, target, body);
}

api::Result<api::JobInfo> RemoteContext::job_info(const api::JobId& id) {
  auto json = call(HttpRequest::Method::kGet, job_target(id));
  if (!json) return std::unexpected(json.error());
  auto info = ipc::job_info_from_json(*json);
  if (!info) return std::unexpected(bad_answer(socket(), info.error().message));
  return info;
}

void RemoteContext::close() {
  closed_ = true;
  notifications_->stop();
}

}  // namespace swarmcopy::client
