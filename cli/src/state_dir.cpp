#include "state_dir.h"

#include <system_error>

#include "swarmcopy/util/user_state_dir.h"

namespace swarmcopy::cli {

std::expected<std::filesystem::path, std::string> resolve_state_dir(
    const std::optional<std::filesystem::path>& flag) {
  if (!flag) {
    auto dir = util::user_state_dir();
    if (!dir) return std::unexpected(dir.error() + " (or give --home)");
    return dir;
  }
  if (flag->empty()) return std::unexpected("--home: empty path");
  std::error_code ec;
  auto absolute = std::filesystem::absolute(*flag, ec);
  if (ec) return std::unexpected("cannot resolve " + flag->string() + ": " + ec.message());
  return absolute.lexically_normal();
}

}  // namespace swarmcopy::cli
