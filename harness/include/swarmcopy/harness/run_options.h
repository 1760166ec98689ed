// RunOptions: how NetworkLab::run_in starts a process inside a namespace. Plain value type.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace swarmcopy::harness {

struct RunOptions {
  // Files that receive the process's stdout and stderr (created or truncated). Empty: a file
  // in the lab's work directory, "<namespace>-<n>.out" / ".err". stdin is /dev/null.
  std::filesystem::path stdout_path;
  std::filesystem::path stderr_path;
  // Added to (or replacing entries of) this process's environment.
  std::vector<std::pair<std::string, std::string>> env;
  // Working directory; empty: ours.
  std::filesystem::path cwd;
  // SIGKILL the process when the thread that called run_in exits (PR_SET_PDEATHSIG), so that a
  // crashed test leaves no process behind. Turn off when run_in is called from a short-lived
  // thread: the kernel ties this to the calling thread, not the process.
  bool die_with_caller = true;
};

}  // namespace swarmcopy::harness
