// CacheCommand: `swarmcopy cache list|stats|prune|clear [--home DIR] [--json]` — the content
// cache of a state directory (verified files kept for repeat downloads). It takes the
// directory's lock: while an engine (a running `get`, a user daemon) holds it, the command
// says so and exits 2.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "command.h"
#include "common_options.h"

namespace swarmcopy::cli {

class CacheCommand final : public Command {
 public:
  explicit CacheCommand(CLI::App& app);
  bool chosen() const override { return command_->parsed(); }
  int run() override;

 private:
  CLI::App* command_;
  CLI::App* list_;
  CLI::App* stats_;
  CLI::App* prune_;
  CLI::App* clear_;
  CommonOptions common_;
  bool json_ = false;
};

}  // namespace swarmcopy::cli
