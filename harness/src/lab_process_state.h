// LabProcess::State: what a LabProcess handle and the NetworkLab that started the process
// share. The lab reaps (terminate) at close; handles only read the status (WNOWAIT).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

#include "swarmcopy/harness/lab_process.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::harness {

struct LabProcess::State {
  pid_t pid = -1;        // also the process-group id
  util::UniqueFd pidfd;  // pollable until exit; invalid on kernels without pidfd_open
  std::filesystem::path stdout_path;
  std::filesystem::path stderr_path;
  std::optional<int> exit_code;  // once seen
  bool reaped = false;           // then pid means nothing any more
};

// SIGKILLs the process group, waits (bounded) for the leader and reaps it. False if the
// leader did not die in time (it is left unreaped).
bool terminate(LabProcess::State& state);

}  // namespace swarmcopy::harness
