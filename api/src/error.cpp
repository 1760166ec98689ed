#include "swarmcopy/api/error.h"

#include "name_table.h"

#include <array>
#include <utility>

namespace swarmcopy::api {
namespace {

constexpr NameTable<ErrorContext, 10> kContextNames{{
    {ErrorContext::kNone, "none"},
    {ErrorContext::kUnknown, "unknown"},
    {ErrorContext::kGeneralQueueManager, "queue_manager"},
    {ErrorContext::kLocalFile, "local_file"},
    {ErrorContext::kRemoteFile, "remote_file"},
    {ErrorContext::kGeneralTransport, "transport"},
    {ErrorContext::kRemoteApplication, "remote_application"},
    {ErrorContext::kPeer, "peer"},
    {ErrorContext::kCache, "cache"},
    {ErrorContext::kCaller, "caller"},
}};

constexpr NameTable<ErrorKind, 18> kKindNames{{
    {ErrorKind::kInvalidArgument, "invalid_argument"},
    {ErrorKind::kNotFound, "not_found"},
    {ErrorKind::kJobIsFinal, "job_is_final"},
    {ErrorKind::kInvalidState, "invalid_state"},
    {ErrorKind::kNoFiles, "no_files"},
    {ErrorKind::kLimitExceeded, "limit_exceeded"},
    {ErrorKind::kHttpStatus, "http_status"},
    {ErrorKind::kTransport, "transport"},
    {ErrorKind::kContentChanged, "content_changed"},
    {ErrorKind::kRangeNotSupported, "range_not_supported"},
    {ErrorKind::kBadContentEncoding, "bad_content_encoding"},
    {ErrorKind::kChecksumMismatch, "checksum_mismatch"},
    {ErrorKind::kLocalIo, "local_io"},
    {ErrorKind::kDiskFull, "disk_full"},
    {ErrorKind::kNoProgressTimeout, "no_progress_timeout"},
    {ErrorKind::kStoreFailure, "store_failure"},
    {ErrorKind::kUnavailable, "unavailable"},
    {ErrorKind::kInternal, "internal"},
}};

constexpr NameTable<Protocol, 5> kProtocolNames{{
    {Protocol::kNone, "none"},
    {Protocol::kHttp, "http"},
    {Protocol::kHttps, "https"},
    {Protocol::kPeer, "peer"},
    {Protocol::kLocal, "local"},
}};

}  // namespace

std::string_view to_string(ErrorContext context) { return name_of(context, kContextNames); }
std::string_view to_string(ErrorKind kind) { return name_of(kind, kKindNames); }
std::string_view to_string(Protocol protocol) { return name_of(protocol, kProtocolNames); }

namespace {

template <class Enum, std::size_t N>
bool parse_into(std::string_view text, const NameTable<Enum, N>& names, Enum& out) {
  const auto value = value_of(text, names);
  if (value) out = *value;
  return value.has_value();
}

}  // namespace

bool parse(std::string_view text, ErrorContext& out) {
  return parse_into(text, kContextNames, out);
}
bool parse(std::string_view text, ErrorKind& out) { return parse_into(text, kKindNames, out); }
bool parse(std::string_view text, Protocol& out) { return parse_into(text, kProtocolNames, out); }

std::string Error::describe() const {
  std::string text = message.empty() ? std::string(to_string(kind)) : message;
  text += " (";
  text += protocol == Protocol::kNone ? std::string_view("engine") : to_string(protocol);
  text += ' ';
  text += code != 0 ? std::to_string(code) : std::string(to_string(kind));
  text += ')';
  if (!file.empty()) {
    text += ": ";
    text += file;
  }
  return text;
}

std::unexpected<Error> fail(ErrorContext context, ErrorKind kind, std::string message, int code,
                            std::string file, Protocol protocol) {
  return std::unexpected(Error{context, kind, code, std::move(message), std::move(file), protocol});
}

}  // namespace swarmcopy::api
