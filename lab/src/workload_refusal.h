// workload_refusal: whether a run's options make sense for its workload (workload.h). The apt
// and oci workloads download through each peer's swarmcopyd, started by apt or skopeo: they
// have no http-only mode, and the options that steer one `swarmcopy get` (--churn, --priority,
// --liar) have nothing to act on. Pure: any thread.
#pragma once

#include <string>

#include "run_settings.h"

namespace swarmcopy::lab {

// Why `settings` cannot run as its workload says, as a sentence; empty when it can.
std::string workload_refusal(const RunSettings& settings);

}  // namespace swarmcopy::lab
