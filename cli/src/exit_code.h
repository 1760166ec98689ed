// The process exit codes of every swarmcopy subcommand; scripts depend on them, so they are
// part of the CLI's contract (documented in --help and cli/README.md).
#pragma once

namespace swarmcopy::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,          // bad command line: the usage is printed
  kExitFailure = 2,        // the command ran and failed: one "swarmcopy: error: ..." line
  kExitInterrupted = 130,  // SIGINT/SIGTERM: the job was suspended and can be resumed (128 + 2)
};

}  // namespace swarmcopy::cli
