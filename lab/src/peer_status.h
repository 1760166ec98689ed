// A peer's `swarmcopy status --json --days 1`: its traffic history (every round's bytes by
// source, the savings ratio), what the report keeps as "peer_status". Any thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace swarmcopy::lab {

// `where`: {"--home", DIR} (what `swarmcopy get --home DIR` recorded) or {"--socket", PATH}
// (a daemon's). Null when it could not be read; the reason is logged, naming `peer`.
nlohmann::json swarmcopy_status(const std::filesystem::path& swarmcopy, const std::string& peer,
                                const std::vector<std::string>& where);

}  // namespace swarmcopy::lab
