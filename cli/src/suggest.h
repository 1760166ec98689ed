// "Did you mean": the known name a mistyped option or command was most likely meant to be.
// Pure function: any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmcopy::cli {

// The name in `names` closest to `word` by edit distance (insertions, deletions,
// substitutions and swaps of neighbours count one each), when it is close enough to be a
// typo: one edit for names of up to 5 letters (dashes not counted), two for longer ones.
// Names of fewer than 3 letters (-o, -q) are never suggested: any one-letter slip would look
// like them. Ties go to the first name. `word`'s "=value" part, if any, is ignored.
std::optional<std::string> closest_name(std::string_view word,
                                        const std::vector<std::string>& names);

}  // namespace swarmcopy::cli
