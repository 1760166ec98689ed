// AcquireRequest: one 600 URI Acquire, as the method needs it: where from (the URI apt sent,
// and the plain http(s) URL behind the "swarmcopy+" scheme), where to (apt's Filename, in its
// partial/ directory), the hashes and size apt expects, the largest size it accepts, and the
// Last-Modified of the copy apt already has (for If-Modified-Since). Plain value type.
#pragma once

#include <cstdint>
#include <ctime>
#include <expected>
#include <optional>
#include <string>

#include "swarmcopy/apt/message.h"

namespace swarmcopy::apt {

struct AcquireRequest {
  std::string uri;                             // as apt sent it: swarmcopy+http://host/path
  std::string url;                             // what is fetched: http://host/path
  std::string filename;                        // apt's destination
  std::optional<std::string> expected_sha256;  // lower-case hex
  std::optional<std::uint64_t> expected_size;  // Expected-Checksum-FileSize
  std::uint64_t maximum_size = 0;              // 0: no limit
  std::optional<std::time_t> last_modified;    // the copy apt has: If-Modified-Since
  std::optional<std::string> proxy;            // apt's Proxy field (auto-detected proxy)
  bool index_file = false;  // Index-File: Packages, Sources, by-hash/...: never the daemon's
};

// Reads a 600 message. The error is the sentence for 400 URI Failure's Message (no URI, no
// Filename, a scheme this method does not serve, a malformed hash or size).
std::expected<AcquireRequest, std::string> parse_acquire(const Message& message);

}  // namespace swarmcopy::apt
