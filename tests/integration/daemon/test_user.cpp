#include "test_user.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>
#include <vector>

namespace swarmcopy::test {
namespace {

// Runs a program quietly; its exit code (or -1).
int run(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDOUT_FILENO);
      ::dup2(null_fd, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::expected<std::unique_ptr<TestUser>, std::string> TestUser::create() {
  std::random_device random;
  std::string name = "swarmcopy-test-";
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) name += kDigits[random() % 16];
  // useradd fails while another process holds /etc/passwd's lock (parallel tests): retry.
  int code = -1;
  for (int attempt = 0; attempt < 20; ++attempt) {
    code = run({"/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                name});
    if (code == 0 || code == 9 /* name in use */) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
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
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (run({"/usr/sbin/userdel", name_}) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace swarmcopy::test
