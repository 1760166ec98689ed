// Where a command keeps its engine state (the job store) when --home is not given.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

namespace swarmcopy::cli {

// The state directory, made absolute: `flag` (--home / --state-dir) if given, else
// $SWARMCOPY_HOME, else $XDG_STATE_HOME/swarmcopy, else ~/.local/state/swarmcopy (home from
// $HOME, else the password database). Does not create it: open_local does.
std::expected<std::filesystem::path, std::string> resolve_state_dir(
    const std::optional<std::filesystem::path>& flag);

}  // namespace swarmcopy::cli
