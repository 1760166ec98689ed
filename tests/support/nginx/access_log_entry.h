// AccessLogEntry: one request as the test nginx logged it (NginxServer::access_log()).
// nginx writes the line when the request finishes, so an aborted transfer appears too, with
// the bytes it really sent. Plain value type.
#pragma once

#include <cstdint>
#include <string>

namespace swarmcopy::test {

struct AccessLogEntry {
  int status = 0;
  std::uint64_t body_bytes_sent = 0;  // $body_bytes_sent: the body only, without headers
  std::string method;                 // "GET"
  std::string uri;                    // "/file.bin" (as requested, query included)
  std::string range;                  // the Range header, empty when none was sent
};

}  // namespace swarmcopy::test
