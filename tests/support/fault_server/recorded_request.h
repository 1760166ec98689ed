// RecordedRequest: one request as FaultServer saw it, for tests to assert on (how many
// requests, which ranges, which headers). Plain value type; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace swarmcopy::test {

struct RecordedRequest {
  std::string method;
  std::string target;  // as sent, query included
  std::string path;    // target without the query
  std::string range;   // the Range header, empty when absent
  std::string accept_encoding;
  std::string user_agent;
  std::uint64_t connection = 0;  // which accepted connection (1, 2, ...) carried it
  std::chrono::steady_clock::time_point time;
};

}  // namespace swarmcopy::test
