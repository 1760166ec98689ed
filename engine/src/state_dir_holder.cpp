#include "swarmcopy/engine/state_dir_holder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::engine {
namespace {

constexpr std::string_view kSocketPrefix = "socket ";
// A pid and an absolute socket path (at most 108 bytes for AF_UNIX) fit with room to spare;
// anything longer is not a file a holder wrote.
constexpr std::size_t kMaxText = 512;

std::optional<pid_t> parse_pid(std::string_view line) {
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), pid);
  if (ec != std::errc() || end != line.data() + line.size() || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

std::string format_state_dir_holder(const StateDirHolder& holder) {
  std::string text;
  if (holder.pid) text += std::to_string(*holder.pid) + "\n";
  if (holder.socket) text += std::string(kSocketPrefix) + holder.socket->string() + "\n";
  return text;
}

StateDirHolder parse_state_dir_holder(std::string_view text) {
  StateDirHolder holder;
  bool first = true;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    // An unterminated last line is one still being written: not trusted.
    if (newline == std::string_view::npos) break;
    const auto line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    if (first) {
      holder.pid = parse_pid(line);
      first = false;
    } else if (line.starts_with(kSocketPrefix)) {
      std::filesystem::path socket(line.substr(kSocketPrefix.size()));
      if (socket.is_absolute()) holder.socket = std::move(socket);
    }
  }
  return holder;
}

StateDirHolder read_state_dir_holder(const std::filesystem::path& state_dir) {
  const auto lock_path = state_dir / "lock";
  util::UniqueFd fd(::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) return {};
  // Only a lock file of the reader's own is believed: a home in a directory another user
  // controls could otherwise name that user's socket, and `get` would hand it the job (its URL,
  // its headers) there.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) return {};
  char buffer[kMaxText];
  const auto got = ::pread(fd.get(), buffer, sizeof buffer, 0);
  if (got <= 0 || static_cast<std::size_t>(got) == sizeof buffer) return {};
  return parse_state_dir_holder(std::string_view(buffer, static_cast<std::size_t>(got)));
}

}  // namespace swarmcopy::engine
