#include "netlab_test_helpers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "swarmcopy/harness/clean_leftovers.h"
#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::harness {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string output_of(const std::vector<std::string>& argv) {
  auto result = run_checked(argv);
  EXPECT_TRUE(result.has_value()) << result.error().message;
  return result ? result->out : std::string();
}

std::vector<std::string> names_with(const std::string& prefix) {
  auto found = find_leftovers(prefix);
  EXPECT_TRUE(found.has_value()) << found.error().message;
  return found ? *found : std::vector<std::string>{};
}

}  // namespace swarmcopy::harness
