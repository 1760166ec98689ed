// CommonOptions: the options every subcommand that opens the engine takes (--home, -v), added
// to each subcommand rather than to the top-level app so that `swarmcopy SUB --help` lists
// them and they may follow the subcommand's name.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace swarmcopy::cli {

struct CommonOptions {
  std::string home;
  CLI::Option* home_option = nullptr;
  int verbosity = 0;  // how many -v

  // The --home flag when given (not yet resolved: see state_dir.h).
  std::optional<std::filesystem::path> home_flag() const;
};

void add_common_options(CLI::App& command, CommonOptions& options);

}  // namespace swarmcopy::cli
