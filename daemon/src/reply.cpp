#include "reply.h"

#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::daemon {

Reply Reply::json(int status, const nlohmann::json& value) {
  Reply reply;
  reply.status = status;
  reply.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  reply.body += '\n';
  return reply;
}

Reply Reply::error(const api::Error& error) {
  return Reply::error(ipc::http_status_for(error.kind), error);
}

Reply Reply::error(int status, const api::Error& error) {
  return Reply::json(status, ipc::error_body(error));
}

api::Error caller_error(api::ErrorKind kind, std::string message) {
  return api::Error{api::ErrorContext::kCaller, kind, 0,
                    std::move(message),         "",   api::Protocol::kNone};
}

Reply Reply::text(int status, std::string body, std::string content_type) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.content_type = std::move(content_type);
  return reply;
}

}  // namespace swarmcopy::daemon
