// PublishCommand: `swarmcopy publish FILE... [--piece-size SIZE] [--json]` — run on an origin,
// it writes FILE.torrent beside each file: the BitTorrent v2 hybrid metainfo from which every
// client verifies every piece, whoever sent it. No engine, no daemon.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "command.h"

namespace swarmcopy::cli {

class PublishCommand final : public Command {
 public:
  explicit PublishCommand(CLI::App& app);
  bool chosen() const override { return command_->parsed(); }
  int run() override;

 private:
  CLI::App* command_;
  std::vector<std::string> files_;
  std::string piece_size_ = "0";
  bool json_ = false;
};

}  // namespace swarmcopy::cli
