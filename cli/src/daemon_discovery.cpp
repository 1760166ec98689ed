#include "daemon_discovery.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "daemon_launcher.h"
#include "swarmcopy/client/daemon_status.h"
#include "swarmcopy/client/default_sockets.h"

namespace swarmcopy::cli {

api::Result<std::filesystem::path> find_daemon(const DaemonChoice& choice) {
  if (choice.socket_flag) return std::filesystem::absolute(*choice.socket_flag);
  if (const char* env = std::getenv("SWARMCOPY_SOCKET"); env != nullptr && *env != '\0') {
    return std::filesystem::absolute(env);
  }
  const auto system = client::system_socket_path();
  std::error_code ec;
  // Asked only when its socket exists: most machines have no system daemon, and the answer
  // "no" should cost nothing.
  if (std::filesystem::exists(system, ec)) {
    if (client::daemon_status(system, std::chrono::seconds(2))) return system;
    spdlog::info("the system daemon does not answer at {}", system.string());
  }
  const auto user = client::user_socket_path();
  if (!user) {
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                     "no system swarmcopyd answers and $XDG_RUNTIME_DIR is not set for a user "
                     "daemon: give --socket PATH or set SWARMCOPY_SOCKET",
                     0, system.string(), api::Protocol::kLocal);
  }
  if (choice.auto_start == AutoStart::kYes &&
      !client::daemon_status(*user, std::chrono::seconds(2))) {
    if (auto started = start_user_daemon(*user, choice.start_timeout); !started) {
      return std::unexpected(started.error());
    }
  }
  return *user;
}

}  // namespace swarmcopy::cli
