// ChildResult: how a child process ended and everything it wrote, as ChildProcess::wait and
// run_child return it.
#pragma once

#include <string>

namespace swarmcopy::test {

struct ChildResult {
  int exit_code = -1;  // the exit status, or 128 + signal number when killed by a signal
  bool timed_out = false;
  std::string out;  // stdout (empty when it went to SpawnOptions::log)
  std::string err;  // stderr (likewise)
};

}  // namespace swarmcopy::test
