// TestDir: a fresh directory under /tmp for one test, removed with everything in it when the
// test ends (pass or fail). Set SWARMCOPY_KEEP_TEST_DIRS=1 to keep it.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace swarmcopy::test {

class TestDir {
 public:
  TestDir() {
    std::string pattern = "/tmp/swarmcopy-test-XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~TestDir() {
    if (std::getenv("SWARMCOPY_KEEP_TEST_DIRS")) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

  // Names of every entry in a directory (for "no stray temporary file" checks).
  static std::vector<std::string> list(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path path_;
};

}  // namespace swarmcopy::test
