// check_privileges: whether this process may build a network lab — create network namespaces
// (CAP_SYS_ADMIN) and links, bridges and qdiscs (CAP_NET_ADMIN) — and whether iproute2's `ip`
// is installed. Tests call it first and skip with its message. Any thread.
#pragma once

#include "swarmcopy/api/error.h"

namespace swarmcopy::harness {

// Errors: "network namespaces need root (CAP_NET_ADMIN)" (kind kUnavailable, code EPERM), or
// `ip` not found.
api::Result<void> check_privileges();

}  // namespace swarmcopy::harness
