// SIGINT and SIGTERM ask a lab run to stop: the handler only sets a flag, which the run's loops
// check (stop_requested) before they close the lab as on any failure. Process-wide.
#pragma once

namespace swarmcopy::lab {

void install_stop_handler();
bool stop_requested();

}  // namespace swarmcopy::lab
