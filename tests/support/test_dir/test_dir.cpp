#include "test_dir/test_dir.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace swarmcopy::test {
namespace {

bool keep_test_dirs() {
  const char* keep = std::getenv("SWARMCOPY_KEEP_TEST_DIRS");
  return keep != nullptr && *keep != '\0' && std::string_view(keep) != "0";
}

}  // namespace

std::expected<TestDir, std::string> TestDir::make(std::string_view prefix) {
  std::string pattern = "/tmp/" + std::string(prefix) + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return std::unexpected("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  return TestDir(Made{}, std::filesystem::path(pattern));
}

TestDir::TestDir(std::string_view prefix) {
  auto made = make(prefix);
  if (!made) throw std::runtime_error(made.error());
  path_ = std::exchange(made->path_, {});
}

TestDir::TestDir(TestDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TestDir& TestDir::operator=(TestDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

TestDir::~TestDir() { remove(); }

void TestDir::remove() {
  if (path_.empty() || keep_test_dirs()) return;
  std::error_code ignored;  // a test that left something unremovable already failed for it
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

std::vector<std::string> TestDir::list(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string TestDir::read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace swarmcopy::test
