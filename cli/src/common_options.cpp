#include "common_options.h"

namespace swarmcopy::cli {

std::optional<std::filesystem::path> CommonOptions::home_flag() const {
  if (home_option == nullptr || home_option->count() == 0) return std::nullopt;
  return std::filesystem::path(home);
}

void add_common_options(CLI::App& command, CommonOptions& options) {
  options.home_option =
      command
          .add_option("--home,--state-dir", options.home,
                      "State directory (the job store); one process at a time may use it. "
                      "Default: $SWARMCOPY_HOME, else $XDG_STATE_HOME/swarmcopy, else "
                      "~/.local/state/swarmcopy")
          ->type_name("DIR");
  command.add_flag("-v,--verbose", options.verbosity,
                   "More log output on stderr (repeat for more: info, debug, trace; default: "
                   "warnings only)");
}

}  // namespace swarmcopy::cli
