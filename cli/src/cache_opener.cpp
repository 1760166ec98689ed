#include "cache_opener.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon_discovery.h"
#include "state_dir.h"
#include "swarmcopy/client/daemon_cache.h"
#include "swarmcopy/client/default_sockets.h"
#include "swarmcopy/engine/cache_admin.h"

namespace swarmcopy::cli {
namespace {

namespace fs = std::filesystem;

// Failures of open_cache_admin that a daemon owning the directory explains: its lock is held,
// or (a system daemon's 0700 directory) this user may not open it.
bool a_daemon_may_hold(const api::Error& error) {
  if (error.kind == api::ErrorKind::kUnavailable) return true;
  return error.kind == api::ErrorKind::kLocalIo && (error.code == EACCES || error.code == EPERM);
}

// Paths compared as the file system resolves them (symlinks, "..") where we may look, else as
// written.
fs::path comparable(const fs::path& path) {
  std::error_code ec;
  auto resolved = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal() : resolved;
}

// The sockets a daemon holding the directory may answer on, without duplicates.
std::vector<fs::path> candidate_sockets() {
  std::vector<fs::path> sockets;
  const auto add = [&sockets](const fs::path& socket) {
    for (const auto& known : sockets) {
      if (known == socket) return;
    }
    sockets.push_back(socket);
  };
  if (const char* env = std::getenv("SWARMCOPY_SOCKET"); env != nullptr && *env != '\0') {
    add(fs::absolute(env));
  }
  add(client::system_socket_path());
  if (auto user = client::user_socket_path()) add(*user);
  return sockets;
}

// The socket of a daemon whose cache is `cache_dir`; `tried` says what each candidate was.
std::optional<fs::path> find_owner(const fs::path& cache_dir, std::string& tried) {
  const auto wanted = comparable(cache_dir);
  for (const auto& socket : candidate_sockets()) {
    std::error_code ec;
    if (!fs::exists(socket, ec)) continue;  // most machines have no system daemon: no wait
    auto stats = client::connect_cache(socket, std::chrono::seconds(2))->stats();
    if (!tried.empty()) tried += "; ";
    if (!stats) {
      tried += socket.string() + " does not answer";
      continue;
    }
    if (comparable(stats->dir) == wanted) return socket;
    tried += socket.string() + " uses " + stats->dir.string();
  }
  return std::nullopt;
}

}  // namespace

api::Result<std::unique_ptr<api::CacheAdmin>> open_cache_admin(const CacheTarget& target) {
  if (target.daemon || target.socket) {
    DaemonChoice choice;
    choice.socket_flag = target.socket;
    auto socket = find_daemon(choice);
    if (!socket) return std::unexpected(socket.error());
    return client::connect_cache(*socket);
  }
  auto home = resolve_state_dir(target.home_flag);
  if (!home) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument, home.error());
  }
  auto admin = engine::open_cache_admin(*home);
  if (admin) return std::move(*admin);
  if (!a_daemon_may_hold(admin.error())) return std::unexpected(admin.error());

  // The daemon keeps its cache where open_cache_admin would look: <state dir>/cache.
  std::string tried;
  if (auto socket = find_owner(*home / "cache", tried)) {
    spdlog::info("{} is held by swarmcopyd at {}: asking it", home->string(), socket->string());
    return client::connect_cache(*socket);
  }
  auto error = admin.error();
  error.message += tried.empty() ? ", and no swarmcopyd answers"
                                 : ", and no swarmcopyd that answers uses it (" + tried + ")";
  error.message += ": stop that process, or give --daemon or --socket PATH";
  return std::unexpected(std::move(error));
}

}  // namespace swarmcopy::cli
