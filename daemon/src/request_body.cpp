#include "request_body.h"

#include "reply.h"

namespace swarmcopy::daemon {
namespace {

bool is_blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

api::Result<nlohmann::json> parse_body(const std::string& body) {
  // nlohmann reports where the text went wrong only through its exception; this is the one
  // place the daemon lets it throw, and it is caught right here.
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return std::unexpected(
        caller_error(api::ErrorKind::kInvalidArgument, std::string("body: not JSON: ") + e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond double (1e500) is reported this way, not as a parse error.
    return std::unexpected(caller_error(api::ErrorKind::kInvalidArgument,
                                        std::string("body: a number out of range: ") + e.what()));
  }
}

api::Result<void> expect_no_body(const std::string& body) {
  if (is_blank(body)) return {};
  auto value = parse_body(body);
  if (!value) return std::unexpected(value.error());
  if (!value->is_object() || !value->empty()) {
    return std::unexpected(
        caller_error(api::ErrorKind::kInvalidArgument, "body: this call takes no body or {}"));
  }
  return {};
}

}  // namespace swarmcopy::daemon
