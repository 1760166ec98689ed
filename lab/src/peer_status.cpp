#include "peer_status.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::lab {

nlohmann::json swarmcopy_status(const std::filesystem::path& swarmcopy, const std::string& peer,
                                const std::vector<std::string>& where) {
  std::vector<std::string> argv = {swarmcopy.string(), "status", "--json", "--days", "1"};
  argv.insert(argv.end(), where.begin(), where.end());
  auto ran = harness::run_command(argv, std::chrono::seconds(30));
  auto parsed = ran && ran->exit_code == 0 ? nlohmann::json::parse(ran->out, nullptr, false)
                                           : nlohmann::json();
  if (!parsed.is_object()) {
    spdlog::warn("{}: no status: {}", peer, ran ? ran->err : ran.error().describe());
    return nullptr;
  }
  return parsed;
}

}  // namespace swarmcopy::lab
