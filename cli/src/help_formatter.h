// HelpFormatter: CLI11's help, plus, for a verb with fallthrough() (`job list`, `cache list`),
// the options of the command above it, which the verb accepts after its name as well as
// before (`swarmcopy job --json list` = `swarmcopy job list --json`). CLI11 alone lists only
// the verb's own options, so `swarmcopy cache list --help` listed none. Set on the app before
// the subcommands are added: each subcommand copies its parent's formatter.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace swarmcopy::cli {

class HelpFormatter final : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override;
};

}  // namespace swarmcopy::cli
