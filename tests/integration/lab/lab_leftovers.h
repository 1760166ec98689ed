// What a swarmcopy-lab run may have left behind, for the lab's integration tests to assert
// it left nothing: namespaces and links under the lab's prefix, processes that ran in it.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "swarmcopy/harness/clean_leftovers.h"

namespace swarmcopy::test {

// Every namespace and link (any kind) whose name starts with `prefix`.
inline std::vector<std::string> names_with(const std::string& prefix) {
  auto found = harness::find_leftovers(prefix);
  EXPECT_TRUE(found.has_value()) << found.error().message;
  return found ? *found : std::vector<std::string>{};
}

// Processes whose command line mentions `needle` (the lab's work directory: every peer's
// output and home, and nginx's config, live there).
inline std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos) {
      for (char& c : cmdline) c = c == '\0' ? ' ' : c;
      found.push_back(pid + ": " + cmdline);
    }
  }
  return found;
}

}  // namespace swarmcopy::test
