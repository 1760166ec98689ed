// The process exit codes of every swarmcopy subcommand; scripts depend on them, so they are
// part of the CLI's contract (documented in --help and cli/README.md).
#pragma once

namespace swarmcopy::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,          // bad command line: the usage is printed
  kExitFailure = 2,        // the command ran and failed: one "swarmcopy: error: ..." line
  kExitSuspended = 3,      // `job watch`: the job was suspended (by someone) while watched
  kExitInterrupted = 130,  // SIGINT/SIGTERM (128 + 2); `get` suspended its job, `watch` left it
};

}  // namespace swarmcopy::cli
