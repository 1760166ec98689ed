// FetchResult and FetchFailure: how one fetch ended, in the terms of 201 URI Done and 400 URI
// Failure. Plain value types.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "swarmcopy/apt/hash_set.h"

namespace swarmcopy::apt {

struct FetchResult {
  FileHashes hashes;                         // of the file now at apt's Filename
  std::optional<std::time_t> last_modified;  // the origin's Last-Modified, when it sent one
  bool ims_hit = false;                      // 304: apt's copy is current, nothing written
};

struct FetchFailure {
  std::string message;      // what apt prints: "404  Not Found [IP: 127.0.0.1 8080]"
  std::string fail_reason;  // "HttpError404", "MaximumSizeExceeded", ... or empty
  bool transient = false;   // apt may retry (Transient-Failure: true)
};

}  // namespace swarmcopy::apt
