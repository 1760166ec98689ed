// Parses an HTTP Retry-After value: delta-seconds ("120") or an HTTP-date (IMF-fixdate and
// the two obsolete forms, via curl_getdate), relative to `now`. Zero when absent, malformed
// or in the past. Pure function; any thread.
#pragma once

#include <chrono>
#include <string_view>

namespace swarmcopy::engine::origin {

std::chrono::seconds parse_retry_after(std::string_view value,
                                       std::chrono::system_clock::time_point now);

}  // namespace swarmcopy::engine::origin
