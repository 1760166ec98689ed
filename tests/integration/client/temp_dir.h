// TempDir: a fresh directory under /tmp for one test (short, so UNIX socket paths inside it
// fit in sun_path), removed with everything in it when the test ends, pass or fail. Set
// SWARMCOPY_KEEP_TEST_DIRS=1 to keep it.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace swarmcopy::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/swc-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    const char* keep = std::getenv("SWARMCOPY_KEEP_TEST_DIRS");
    if (path_.empty() || (keep != nullptr && *keep != '\0' && *keep != '0')) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace swarmcopy::test
