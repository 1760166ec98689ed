// `swarmcopy-lab run`: one run of the lab. Builds a NetworkLab with an nginx origin serving a
// generated, published file and N peer namespaces, runs the scenario (peers started together
// or staggered, some killed mid-way, the origin unplugged for a while, later rounds served
// from caches), measures, and removes everything it made — on success, on failure and when a
// stop is requested (SIGINT, SIGTERM: stop_signal.h). One thread.
#pragma once

#include <expected>
#include <string>

#include <nlohmann/json.hpp>

#include "run_settings.h"

namespace swarmcopy::lab {

inline constexpr int kExitFailure = 2;
inline constexpr int kExitStopped = 130;

// Why a run produced no report: what to print, and the exit code.
struct Failure {
  std::string message;
  int exit_code = kExitFailure;
};

// The run's report (lab_report.h), the lab already removed. A peer that ended without the
// right file is in the report, not a Failure: every_file_right() tells.
std::expected<nlohmann::json, Failure> run_once(const RunSettings& settings);

// run_once, then the table or --json on stdout and --report DIR. Exit code: 0 every peer that
// was not killed has the right file, kExitFailure otherwise (said on stderr), kExitStopped
// when stopped by a signal.
int run_lab(const RunSettings& settings);

}  // namespace swarmcopy::lab
