// run_command: runs one program (`ip`, `tc`) to completion with an argument vector — never a
// shell string — and hands back its exit code, stdout and stderr, so that a failing command
// can be reported with the kernel's own words. The wait is bounded: a program still running
// at the deadline is killed and reported as an error. Any thread; each call is independent.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::harness {

struct CommandResult {
  int exit_code = -1;  // the exit status, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// argv[0] is a path or a bare name; a bare name is looked up in $PATH and then in /usr/sbin,
// /sbin, /usr/bin, /bin (`ip` and `tc` live in sbin, which a test's $PATH may lack). A
// non-zero exit is not an error here: the caller decides (see CommandResult::exit_code).
// Errors: the program was not found, could not be started, or outlived `timeout`.
api::Result<CommandResult> run_command(
    const std::vector<std::string>& argv,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Like run_command, but a non-zero exit is an error whose message is the command line and the
// program's stderr ("ip link add ...: RTNETLINK answers: File exists").
api::Result<CommandResult> run_checked(
    const std::vector<std::string>& argv,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The absolute path run_command would execute for `name`, or an error naming what is missing.
api::Result<std::string> find_program(const std::string& name);

}  // namespace swarmcopy::harness
