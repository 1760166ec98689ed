// Who is at the other end of an accepted UNIX socket: SO_PEERCRED gives the uid and gid the
// kernel recorded when the client connected (it cannot be forged by the client, and nothing in
// a request can change it). Any thread.
#pragma once

#include <sys/types.h>
#include <cstdint>

#include "swarmcopy/api/error.h"

namespace swarmcopy::daemon {

struct PeerCredentials {
  pid_t pid = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};

api::Result<PeerCredentials> peer_credentials(int socket_fd);

}  // namespace swarmcopy::daemon
