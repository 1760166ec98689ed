// Where a user's swarmcopy keeps its engine state (the job store, the content cache) when no
// directory is given: one answer for `swarmcopy get` and `swarmcopyd --user`, which must agree
// (the user daemon holds the same directory a get would open). Reads the environment and the
// password database; any thread.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace swarmcopy::util {

// Absolute: $SWARMCOPY_HOME (made absolute), else $XDG_STATE_HOME/swarmcopy (an absolute
// $XDG_STATE_HOME only: the XDG spec says to ignore a relative one), else
// ~/.local/state/swarmcopy (home from $HOME, else the password database). Does not create it.
std::expected<std::filesystem::path, std::string> user_state_dir();

// The list of this user's content caches that share with each other (cache/sibling_caches.h):
// $XDG_STATE_HOME/swarmcopy-caches, else ~/.local/state/swarmcopy-caches — one per user,
// whichever home $SWARMCOPY_HOME or --home picks. Does not create it.
std::expected<std::filesystem::path, std::string> user_cache_list_dir();

}  // namespace swarmcopy::util
