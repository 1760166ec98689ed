#include "test_user.h"

#include <pwd.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "process/child_process.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

// useradd and userdel fail while another process holds /etc/passwd's lock (parallel tests):
// they are tried again until this deadline.
constexpr auto kPasswdLockWait = 5s;
constexpr auto kRetryInterval = 100ms;

// Runs a program; its exit code (128 + signal number when killed, -1 when it did not start).
int run(const std::vector<std::string>& args) { return run_child(args, {}, 30s).exit_code; }

}  // namespace

std::expected<std::unique_ptr<TestUser>, std::string> TestUser::create() {
  std::random_device random;
  std::string name = "swarmcopy-test-";
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) name += kDigits[random() % 16];
  int code = -1;
  wait_until(
      [&] {
        code = run({"/usr/sbin/useradd", "--system", "--no-create-home", "--shell",
                    "/usr/sbin/nologin", name});
        return code == 0 || code == 9 /* name in use */;
      },
      kPasswdLockWait, kRetryInterval);
  if (code != 0) return std::unexpected("useradd " + name + " failed: " + std::to_string(code));
  std::unique_ptr<TestUser> user(new TestUser());
  user->name_ = name;
  const passwd* entry = ::getpwnam(name.c_str());
  if (entry == nullptr) return std::unexpected("getpwnam " + name + " failed after useradd");
  user->uid_ = entry->pw_uid;
  user->gid_ = entry->pw_gid;
  return user;
}

TestUser::~TestUser() {
  const auto deleted = [this] { return run({"/usr/sbin/userdel", name_}) == 0; };
  wait_until(deleted, kPasswdLockWait, kRetryInterval);
}

}  // namespace swarmcopy::test
