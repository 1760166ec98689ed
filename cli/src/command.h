// Command: one `swarmcopy <subcommand>`. Its constructor registers the subcommand and its
// options on the app; after parsing, main runs the one the user chose. Adding a subcommand is
// one new Command and one line in main.cpp.
#pragma once

namespace swarmcopy::cli {

class Command {
 public:
  virtual ~Command() = default;
  // True when the user named this subcommand on the command line.
  virtual bool chosen() const = 0;
  // Runs it; returns the process exit code (exit_code.h).
  virtual int run() = 0;
};

}  // namespace swarmcopy::cli
