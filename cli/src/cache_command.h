// CacheCommand: `swarmcopy cache list|stats|prune|clear [--home DIR | --daemon | --socket PATH]
// [--json]` — the content cache of a state directory (verified files kept for repeat
// downloads). It takes the directory's lock; while a swarmcopyd holds the directory the command
// goes through that daemon, and --daemon/--socket ask a daemon directly (cache_opener.h). Any
// other holder (a running `get`) is an error: exit 2.
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
  bool daemon_ = false;
  std::string socket_;
};

}  // namespace swarmcopy::cli
