// StateDirHolder: who holds a state directory's lock, as the holder wrote it into
// "<state dir>/lock": its pid, and the socket it serves the directory's jobs on when it is a
// daemon. `swarmcopy get` reads it when it finds its home in use, to go through that daemon
// or to say which process it waits for. What the file says is only a hint: the lock decides
// who holds the directory, and a socket named here is used only if a daemon answers on it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>

namespace swarmcopy::engine {

struct StateDirHolder {
  std::optional<pid_t> pid;
  std::optional<std::filesystem::path> socket;  // absolute; only a daemon writes one
  bool operator==(const StateDirHolder&) const = default;
};

// The lock file's text: "<pid>\n", then "socket <path>\n" for a daemon.
std::string format_state_dir_holder(const StateDirHolder& holder);
// What the text names; a line it cannot read is skipped (a holder still writing it, a holder
// from before the socket was written).
StateDirHolder parse_state_dir_holder(std::string_view text);

// The last holder that wrote into `state_dir`'s lock file; empty when there is none, or when
// the file is not the reader's own (another user's text is not believed). Read after the lock
// was found taken: the holder may have exited since.
StateDirHolder read_state_dir_holder(const std::filesystem::path& state_dir);

}  // namespace swarmcopy::engine
