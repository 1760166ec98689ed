// Text from a daemon shown on a terminal: job names, URLs, paths and error messages come from
// other programs (and, for root's `job list --all`, from other users). Control characters,
// C0 and C1, are shown as \xNN instead of reaching the terminal, where an ESC sequence could
// rewrite the screen or the window title. Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace swarmcopy::cli {

std::string printable(std::string_view text);

}  // namespace swarmcopy::cli
