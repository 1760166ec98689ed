// `swarmcopy-lab sweep`: the matrix of runs — every mode × every peer count, each in a fresh
// lab (run_once) — a comparison table on the terminal and one report (report_files.h). A cell
// that fails is said on stderr and left out; the sweep goes on with the next.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "run_settings.h"

namespace swarmcopy::lab {

struct SweepSettings {
  RunSettings base;  // everything but mode and peers
  std::vector<int> peer_counts;
  std::vector<std::string> modes;
  std::filesystem::path report_dir;
};

// Exit code: 0 every cell ran and every peer has the right file, kExitFailure otherwise,
// kExitStopped when stopped by a signal (the report then has the cells done so far).
int run_sweep(const SweepSettings& sweep);

}  // namespace swarmcopy::lab
