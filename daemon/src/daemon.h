// run_daemon: the whole life of swarmcopyd in the calling (main) thread. Loads the config,
// binds the socket, opens the engine service, serves until SIGTERM/SIGINT (or, in user mode,
// until idle for idle_exit_seconds), reloads on SIGHUP, then stops accepting, shuts the engine
// down (running jobs resume at the next start) and returns the process exit code.
#pragma once

#include "daemon_args.h"

namespace swarmcopy::daemon {

int run_daemon(const DaemonArgs& args);

}  // namespace swarmcopy::daemon
