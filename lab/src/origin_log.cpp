#include "origin_log.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace swarmcopy::lab {

std::vector<OriginTraffic> read_access_log(const std::filesystem::path& log,
                                           const std::vector<std::string>& content_uris,
                                           const std::vector<double>& round_starts) {
  std::vector<OriginTraffic> rounds(round_starts.size());
  if (rounds.empty()) return rounds;
  std::ifstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string address, uri, status;
    std::uint64_t bytes = 0;
    double ended = 0, took = 0;
    if (!(fields >> address >> uri >> status >> bytes >> ended >> took)) continue;
    const double started = ended - took;
    // The last round that had started by then; before the first round counts as the first.
    const auto later = std::upper_bound(round_starts.begin(), round_starts.end(), started);
    const size_t round =
        later == round_starts.begin() ? 0 : static_cast<size_t>(later - round_starts.begin()) - 1;
    const bool content =
        std::find(content_uris.begin(), content_uris.end(), uri) != content_uris.end();
    (content ? rounds[round].content : rounds[round].metadata) += bytes;
  }
  return rounds;
}

}  // namespace swarmcopy::lab
