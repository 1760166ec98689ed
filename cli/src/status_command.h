// StatusCommand: `swarmcopy status [--json] [--days N] [--socket PATH | --home DIR]` — where this
// machine's downloads came from per UTC day (origin, peers, cache) and what it uploaded, with the
// totals and the savings ratio ((peers + cache) / received), like Delivery Optimization's
// Get-DeliveryOptimizationPerfSnap. Asks the daemon (GET /v1/traffic; found as daemon_discovery.h
// says, never started): the daemon keeps the history; or, with --home DIR, reads DIR's own
// (home_history.h). Main thread.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "command.h"
#include "common_options.h"

namespace swarmcopy::cli {

class StatusCommand final : public Command {
 public:
  explicit StatusCommand(CLI::App& app);
  bool chosen() const override { return command_->parsed(); }
  int run() override;

 private:
  CLI::App* command_;
  bool json_ = false;
  int days_ = 30;
  std::string socket_;
  std::string home_;
  int verbosity_ = 0;
};

}  // namespace swarmcopy::cli
