// TestDir: a fresh directory for one test (or one helper, such as an nginx prefix), made by
// mkdtemp (mode 0700, a name nobody else has) and removed with everything in it when the
// object dies, whether the test passed or not. Set SWARMCOPY_KEEP_TEST_DIRS=1 to keep them all
// for a post-mortem.
//
// It lives under /tmp, not $TMPDIR: tests put UNIX sockets inside (a daemon's, nginx's status
// socket), and a socket path must fit in sun_path's 108 bytes. Not thread-safe; one owner.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmcopy::test {

class TestDir {
 public:
  // /tmp/<prefix>XXXXXX. Throws std::runtime_error when it cannot be made: no test can go on
  // without its directory, and GoogleTest reports the exception as the test's failure.
  explicit TestDir(std::string_view prefix = "swarmcopy-test-");
  // The same for code that returns its failures (NginxServer::start).
  static std::expected<TestDir, std::string> make(std::string_view prefix);

  TestDir(TestDir&& other) noexcept;
  TestDir& operator=(TestDir&& other) noexcept;
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  ~TestDir();

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // The names of every entry in `dir`, sorted (for "no stray temporary file" checks).
  static std::vector<std::string> list(const std::filesystem::path& dir);
  // The whole content of `file` ("" when it cannot be read).
  static std::string read(const std::filesystem::path& file);

 private:
  struct Made {};
  TestDir(Made, std::filesystem::path path) : path_(std::move(path)) {}
  void remove();

  std::filesystem::path path_;  // empty once moved from
};

}  // namespace swarmcopy::test
