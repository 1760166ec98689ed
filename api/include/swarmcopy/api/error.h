// Error: what went wrong, as a value. Every fallible call across a module boundary returns
// Result<T> (std::expected<T, Error>). The fields follow the seed's IBackgroundCopyError:
// where it happened (context), what kind of failure (kind), the protocol's own number (code:
// an HTTP status for http/https, a libcurl CURLcode for transport failures, an errno for local
// files, 0 otherwise), a sentence for people (message), the file (URL or path) and protocol.
// Plain value type: any thread.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace swarmcopy::api {

// Where the failure happened (BG_ERROR_CONTEXT).
enum class ErrorContext {
  kNone,
  kUnknown,
  kGeneralQueueManager,  // the engine or the job store itself
  kLocalFile,            // the destination or temporary file
  kRemoteFile,           // the origin answered with a failure for this file
  kGeneralTransport,     // the network: DNS, connect, TLS, reset, timeout
  kRemoteApplication,    // the origin's software misbehaved (ignored Range, bad encoding)
  kPeer,                 // a LAN peer
  kCache,                // the local content cache
  kCaller,               // the API caller: bad argument or a call not allowed in this state
};

// What kind of failure, independent of protocol. Stable names (see to_string) are part of the
// JSON and IPC contract.
enum class ErrorKind {
  kInvalidArgument,     // bad URL, relative path, duplicate destination, bad hash ...
  kNotFound,            // no such job (unknown or not the caller's)
  kJobIsFinal,          // the job is ACKNOWLEDGED or CANCELLED
  kInvalidState,        // the call is not allowed in the job's current state
  kNoFiles,             // resume of a job without files
  kLimitExceeded,       // too many jobs, files, requests
  kHttpStatus,          // the origin answered with a failing HTTP status (code = status)
  kTransport,           // libcurl failed (code = CURLcode)
  kContentChanged,      // size, ETag or Last-Modified changed during the transfer
  kRangeNotSupported,   // the origin ignored a Range request where one was required
  kBadContentEncoding,  // the origin encoded the body although we asked for identity
  kChecksumMismatch,    // the expected SHA-256 did not match the downloaded file
  kLocalIo,             // a local file operation failed (code = errno)
  kDiskFull,            // no space left on the destination's file system
  kNoProgressTimeout,   // transient errors lasted longer than the no-progress timeout
  kStoreFailure,        // the job store (SQLite) failed
  kUnavailable,         // the engine or daemon is not reachable / shutting down
  kInternal,            // a bug: please report
};

enum class Protocol { kNone, kHttp, kHttps, kPeer, kLocal };

std::string_view to_string(ErrorContext context);
std::string_view to_string(ErrorKind kind);
std::string_view to_string(Protocol protocol);

struct Error {
  ErrorContext context = ErrorContext::kUnknown;
  ErrorKind kind = ErrorKind::kInternal;
  int code = 0;
  std::string message;
  std::string file;
  Protocol protocol = Protocol::kNone;

  // "not found (http 404): https://host/file" — the one-line form the CLI prints.
  std::string describe() const;
  bool operator==(const Error&) const = default;
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for returning an error: `return fail(ErrorContext::kCaller, ErrorKind::kNoFiles,
// "job has no files");`
std::unexpected<Error> fail(ErrorContext context, ErrorKind kind, std::string message, int code = 0,
                            std::string file = {}, Protocol protocol = Protocol::kNone);

// Parses the stable names back (for IPC and JSON); nullopt-like: returns false when unknown.
bool parse(std::string_view text, ErrorContext& out);
bool parse(std::string_view text, ErrorKind& out);
bool parse(std::string_view text, Protocol& out);

}  // namespace swarmcopy::api
