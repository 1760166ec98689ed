#include "job_reference.h"

#include <fmt/format.h>

namespace swarmcopy::cli {

std::expected<std::string, std::string> parse_job_reference(std::string_view text) {
  if (text.size() < kMinJobPrefix) {
    return std::unexpected(fmt::format(
        "job prefix '{}' is too short: give at least {} characters of the id ('swarmcopy job "
        "list' shows them)",
        text, kMinJobPrefix));
  }
  return std::string(text);
}

}  // namespace swarmcopy::cli
