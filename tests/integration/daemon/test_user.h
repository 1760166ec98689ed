// TestUser: a throw-away local system user (useradd --system --no-create-home, name
// "swarmcopy-test-<random>") for tests of the daemon's per-user isolation; userdel'd when the
// object dies, whether the test passed or not. Needs root. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <expected>
#include <memory>
#include <string>

#include "http_connection.h"

namespace swarmcopy::test {

class TestUser {
 public:
  static std::expected<std::unique_ptr<TestUser>, std::string> create();
  TestUser(const TestUser&) = delete;
  TestUser& operator=(const TestUser&) = delete;
  ~TestUser();

  const std::string& name() const { return name_; }
  uid_t uid() const { return uid_; }
  gid_t gid() const { return gid_; }
  Identity identity() const { return {uid_, gid_}; }

 private:
  TestUser() = default;
  std::string name_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

}  // namespace swarmcopy::test
