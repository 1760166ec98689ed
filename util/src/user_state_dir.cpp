#include "swarmcopy/util/user_state_dir.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <system_error>
#include <vector>

namespace swarmcopy::util {
namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::optional<std::filesystem::path> home_dir() {
  if (auto home = env("HOME")) return std::filesystem::path(*home);
  // No $HOME (daemons, some sudo setups): ask the password database, as the shell would.
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  passwd entry{};
  passwd* result = nullptr;
  if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &result) == 0 &&
      result != nullptr && result->pw_dir != nullptr && *result->pw_dir != '\0') {
    return std::filesystem::path(result->pw_dir);
  }
  return std::nullopt;
}

std::expected<std::filesystem::path, std::string> make_absolute(const std::filesystem::path& p) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(p, ec);
  if (ec) return std::unexpected("cannot resolve " + p.string() + ": " + ec.message());
  return absolute.lexically_normal();
}

// <the user's state directory>/name: $XDG_STATE_HOME (absolute only: the XDG spec says to
// ignore a relative one), else ~/.local/state.
std::expected<std::filesystem::path, std::string> in_xdg_state_home(const std::string& name) {
  if (auto xdg = env("XDG_STATE_HOME"); xdg && std::filesystem::path(*xdg).is_absolute()) {
    return (std::filesystem::path(*xdg) / name).lexically_normal();
  }
  if (auto home = home_dir()) return make_absolute(*home / ".local" / "state" / name);
  return std::unexpected("cannot find a state directory: set $SWARMCOPY_HOME or $HOME");
}

}  // namespace

std::expected<std::filesystem::path, std::string> user_state_dir() {
  if (auto home = env("SWARMCOPY_HOME")) return make_absolute(*home);
  return in_xdg_state_home("swarmcopy");
}

std::expected<std::filesystem::path, std::string> user_cache_list_dir() {
  return in_xdg_state_home("swarmcopy-caches");
}

}  // namespace swarmcopy::util
