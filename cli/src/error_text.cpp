#include "error_text.h"

#include <cctype>
#include <cstring>

namespace swarmcopy::cli {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_words(std::string_view text, std::string_view words) {
  return lower(text).find(lower(words)) != std::string::npos;
}

// The parenthesis after the message, or empty when the message already says it all.
std::string qualifier(const api::Error& error) {
  switch (error.kind) {
    case api::ErrorKind::kHttpStatus:
      // "(http 404)": the status is the number people search for; the protocol says which.
      if (error.code != 0) {
        return std::string(error.protocol == api::Protocol::kHttps ? "https " : "http ") +
               std::to_string(error.code);
      }
      return std::string(kind_words(error.kind));
    case api::ErrorKind::kLocalIo:
    case api::ErrorKind::kDiskFull:
      // An errno: its own sentence, unless the message quotes it already.
      if (error.code > 0) {
        const std::string reason = lower(std::strerror(error.code));
        if (!contains_words(error.message, reason)) return reason;
        return {};
      }
      return std::string(kind_words(error.kind));
    case api::ErrorKind::kUnavailable:
    case api::ErrorKind::kNoProgressTimeout:
    case api::ErrorKind::kInvalidArgument:
    case api::ErrorKind::kInvalidState:
    case api::ErrorKind::kNoFiles:
    case api::ErrorKind::kJobIsFinal:
      // The engine's and the daemon's own messages are sentences that say what happened.
      return {};
    default:
      break;
  }
  if (error.context == api::ErrorContext::kPeer) return "from a LAN peer";
  if (error.context == api::ErrorContext::kCache) return "in the content cache";
  return std::string(kind_words(error.kind));
}

}  // namespace

std::string_view kind_words(api::ErrorKind kind) {
  switch (kind) {
    case api::ErrorKind::kInvalidArgument:
      return "invalid argument";
    case api::ErrorKind::kNotFound:
      return "no such job";
    case api::ErrorKind::kJobIsFinal:
      return "the job is already finished";
    case api::ErrorKind::kInvalidState:
      return "not allowed in the job's current state";
    case api::ErrorKind::kNoFiles:
      return "the job has no files";
    case api::ErrorKind::kLimitExceeded:
      return "limit reached";
    case api::ErrorKind::kHttpStatus:
      return "the server refused";
    case api::ErrorKind::kTransport:
      return "network error";
    case api::ErrorKind::kContentChanged:
      return "the file changed on the server";
    case api::ErrorKind::kRangeNotSupported:
      return "the server ignores range requests";
    case api::ErrorKind::kBadContentEncoding:
      return "the server sent the file encoded";
    case api::ErrorKind::kChecksumMismatch:
      return "wrong checksum";
    case api::ErrorKind::kLocalIo:
      return "local file error";
    case api::ErrorKind::kDiskFull:
      return "disk full";
    case api::ErrorKind::kNoProgressTimeout:
      return "gave up after no progress";
    case api::ErrorKind::kStoreFailure:
      return "the job database failed";
    case api::ErrorKind::kUnavailable:
      return "swarmcopy is not reachable";
    case api::ErrorKind::kInternal:
      return "a bug in swarmcopy: please report it";
  }
  return "unknown error";
}

std::string error_text(const api::Error& error) {
  std::string text = error.message.empty() ? std::string(kind_words(error.kind)) : error.message;
  const std::string why = qualifier(error);
  // "(http 404)" stays even after "HTTP 404 Not Found": scripts and people look for it.
  const bool always = error.kind == api::ErrorKind::kHttpStatus;
  if (!why.empty() && (always || !contains_words(text, why))) text += " (" + why + ")";
  if (!error.file.empty()) text += ": " + error.file;
  return text;
}

}  // namespace swarmcopy::cli
