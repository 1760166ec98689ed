// Announce: one tracker request as the test Tracker (tracker.h) decoded it, for tests to
// assert on (which info-hash a client used, which port it listens on, which event). Plain value
// type; any thread.
#pragma once

#include <cstdint>
#include <string>

namespace swarmcopy::test {

struct Announce {
  std::string info_hash;  // 40 lower-case hex digits (the 20 bytes the client sent)
  std::string peer_id;    // as sent (20 bytes, often printable)
  std::uint16_t port = 0;
  std::string event;  // "started", "completed", "stopped" or empty (a regular announce)
  std::string left;   // as sent (decimal), empty when absent
  std::string user_agent;
};

}  // namespace swarmcopy::test
