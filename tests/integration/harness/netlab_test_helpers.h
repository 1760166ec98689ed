// What the NetworkLab tests share: the probe program and the LSD group it talks to, and small
// readers of files, commands and leftovers.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace swarmcopy::harness {

inline constexpr const char* kProbe = NETLAB_PROBE_PATH;
inline constexpr const char* kLsdGroup = "239.192.152.143";
inline constexpr const char* kLsdPort = "6771";

// A whole file ("" when it cannot be read).
std::string slurp(const std::filesystem::path& path);
// stdout of a command that must succeed.
std::string output_of(const std::vector<std::string>& argv);
// Every namespace and link (any kind) whose name starts with `prefix`.
std::vector<std::string> names_with(const std::string& prefix);

}  // namespace swarmcopy::harness
