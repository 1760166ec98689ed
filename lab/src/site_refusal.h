// site_refusal: whether a run's site options (--subnets, --tracker, --mode group, --vpn) fit
// together and with the rest of the run. Group mode is wired for the file workload's
// `swarmcopy get` only: the apt and oci workloads' daemons run in lan mode. Pure: any thread.
#pragma once

#include <string>

#include "run_settings.h"

namespace swarmcopy::lab {

// Why `settings` cannot run, as a sentence; empty when it can.
std::string site_refusal(const RunSettings& settings);

}  // namespace swarmcopy::lab
