// --report DIR and sweep's report: report.md with the figures as Markdown tables, and plots
// drawn by gnuplot (SVG) from data files written beside them. Without gnuplot the Markdown is
// still written and the error says what to install.
#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmcopy/api/error.h"

namespace swarmcopy::lab {

// One run (lab_report.h's JSON): report.md, sources.svg (bytes by source per peer),
// completion.svg (completion over time per peer), report.json.
api::Result<void> write_run_report(const std::filesystem::path& dir, const nlohmann::json& report);

// A sweep's runs (one report per mode and peer count): report.md comparing them, egress.svg
// (origin egress ratio vs peers, per mode), last_finish.svg (last finish / ideal vs peers),
// sweep.json; and each run's own report in a subdirectory MODE-NN.
api::Result<void> write_sweep_report(const std::filesystem::path& dir,
                                     const std::vector<nlohmann::json>& reports);

}  // namespace swarmcopy::lab
