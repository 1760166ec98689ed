#include "swarmcopy/client/default_sockets.h"

#include <cstdlib>

namespace swarmcopy::client {

std::filesystem::path system_socket_path() { return "/run/swarmcopy/swarmcopyd.sock"; }

std::optional<std::filesystem::path> user_socket_path() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime == nullptr || *runtime == '\0') return std::nullopt;
  const std::filesystem::path dir(runtime);
  if (!dir.is_absolute()) return std::nullopt;
  return dir / "swarmcopy" / "swarmcopyd.sock";
}

}  // namespace swarmcopy::client
