#include "peer_credentials.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace swarmcopy::daemon {

api::Result<PeerCredentials> peer_credentials(int socket_fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    const int err = errno;
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal,
                     std::string("SO_PEERCRED: ") + std::strerror(err), err);
  }
  return PeerCredentials{credentials.pid, credentials.uid, credentials.gid};
}

}  // namespace swarmcopy::daemon
