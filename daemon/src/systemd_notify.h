// sd_notify without libsystemd: one datagram to $NOTIFY_SOCKET ("READY=1", "RELOADING=1",
// "STOPPING=1"), so the unit can be Type=notify. Does nothing when not started by systemd.
// Any thread.
#pragma once

#include <string_view>

namespace swarmcopy::daemon {

void systemd_notify(std::string_view state);

}  // namespace swarmcopy::daemon
