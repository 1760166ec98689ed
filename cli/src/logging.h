// Process-wide logging setup for the CLI: spdlog's default logger (which the engine logs to as
// well) writes to stderr, never stdout, so that --json output stays machine-readable.
#pragma once

namespace swarmcopy::cli {

// verbosity 0: warnings and errors; 1: info; 2: debug; 3 or more: trace.
void configure_logging(int verbosity);

}  // namespace swarmcopy::cli
