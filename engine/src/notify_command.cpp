#include "notify_command.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <utility>

#include "fs_credentials.h"

extern char** environ;

namespace swarmcopy::engine {
namespace {

constexpr int kCredentialsFailed = 126;
constexpr int kExecFailed = 127;

api::Error launch_error(std::string message) {
  return api::Error{api::ErrorContext::kGeneralQueueManager,
                    api::ErrorKind::kInternal,
                    0,
                    std::move(message),
                    {},
                    api::Protocol::kNone};
}

// Strings that stay alive (and unmoved) until exec: the child may only read memory.
struct CStrings {
  std::vector<std::string> owned;
  std::vector<char*> pointers;
  void add(std::string text) { owned.push_back(std::move(text)); }
  char** finish() {
    for (auto& text : owned) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers.data();
  }
};

bool is_job_variable(const char* entry) { return std::strncmp(entry, "SWARMCOPY_JOB_", 14) == 0; }

// As root the daemon's own environment is none of the user's business: the owner's basics.
// Otherwise (an embedded engine, a user daemon) the program gets what this process has.
CStrings environment(const NotifyLaunch& launch, bool as_root) {
  CStrings env;
  if (as_root) {
    env.add("PATH=/usr/local/bin:/usr/bin:/bin");
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(launch.uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) {
      env.add(std::string("HOME=") + found->pw_dir);
      env.add(std::string("USER=") + found->pw_name);
      env.add(std::string("LOGNAME=") + found->pw_name);
    }
  } else {
    for (char** entry = environ; entry && *entry; ++entry) {
      if (!is_job_variable(*entry)) env.add(*entry);
    }
  }
  env.add("SWARMCOPY_JOB_ID=" + launch.job_id);
  env.add("SWARMCOPY_JOB_STATE=" + launch.job_state);
  return env;
}

// In the child, between fork and exec: async-signal-safe calls only, raw syscalls for the
// credentials (they change only this process, whatever glibc thinks of its threads).
[[noreturn]] void run_child(char** argv, char** envp, bool switch_user, uid_t uid, gid_t gid,
                            const std::vector<gid_t>& groups) {
  sigset_t none;
  ::sigemptyset(&none);
  ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &default_action, nullptr);
  ::setsid();
  const int null = ::open("/dev/null", O_RDWR);
  if (null < 0) ::_exit(kExecFailed);
  for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
  ::syscall(SYS_close_range, 3u, ~0u, 0u);
  if (switch_user) {
    if (::syscall(SYS_setgroups, groups.size(), groups.data()) != 0 ||
        ::syscall(SYS_setgid, gid) != 0 || ::syscall(SYS_setuid, uid) != 0 || ::getuid() != uid ||
        ::geteuid() != uid || ::getegid() != gid) {
      ::_exit(kCredentialsFailed);
    }
  }
  if (::chdir("/") != 0) ::_exit(kExecFailed);
  ::execve(argv[0], argv, envp);
  ::_exit(kExecFailed);
}

int exit_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return kExecFailed;
}

}  // namespace

struct NotifyCommands::Child {
  Child(boost::asio::io_context& io, int pidfd) : exited(io, pidfd), deadline(io) {}
  boost::asio::posix::stream_descriptor exited;  // the pidfd: readable once the child ended
  boost::asio::steady_timer deadline;
  Done done;
};

NotifyCommands::NotifyCommands(boost::asio::io_context& io, std::chrono::milliseconds timeout)
    : io_(io), timeout_(timeout) {}

NotifyCommands::~NotifyCommands() {
  for (auto& [pid, child] : children_) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
}

api::Result<void> NotifyCommands::start(const NotifyLaunch& launch, Done done) {
  if (launch.argv.empty() || !launch.argv[0].starts_with('/')) {
    return std::unexpected(launch_error("notify command: the program must be an absolute path"));
  }
  const bool as_root = ::geteuid() == 0;
  if (!as_root && launch.uid != ::geteuid()) {
    return std::unexpected(launch_error("notify command: another user's program needs root"));
  }
  const bool switch_user = as_root && launch.uid != 0;
  // Everything the child needs is made here: after fork only the memory is read.
  const auto groups = switch_user ? owner_groups(launch.uid, launch.gid) : std::vector<gid_t>{};
  CStrings argv;
  for (const auto& arg : launch.argv) argv.add(arg);
  char** child_argv = argv.finish();
  CStrings env = environment(launch, as_root);
  char** child_env = env.finish();

  const pid_t pid = ::fork();
  if (pid < 0) {
    return std::unexpected(
        launch_error(std::string("notify command: fork: ") + std::strerror(errno)));
  }
  if (pid == 0) {
    run_child(child_argv, child_env, switch_user, static_cast<uid_t>(launch.uid),
              static_cast<gid_t>(launch.gid), groups);
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int error = errno;
    // Without a pidfd it cannot be watched without blocking: end it now.
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return std::unexpected(
        launch_error(std::string("notify command: pidfd_open: ") + std::strerror(error)));
  }
  auto child = std::make_unique<Child>(io_, pidfd);
  child->done = std::move(done);
  child->exited.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, pid](const boost::system::error_code& ec) {
                             if (!ec) on_exit(pid);
                           });
  child->deadline.expires_after(timeout_);
  child->deadline.async_wait([pid](const boost::system::error_code& ec) {
    // Not reaped yet (on_exit cancels this timer), so the pid is still this child's.
    if (!ec) ::kill(pid, SIGKILL);
  });
  children_.emplace(pid, std::move(child));
  return {};
}

void NotifyCommands::on_exit(pid_t pid) {
  auto it = children_.find(pid);
  if (it == children_.end()) return;
  int status = 0;
  const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
  auto child = std::move(it->second);
  children_.erase(it);
  child->deadline.cancel();
  if (child->done) child->done(reaped == pid ? exit_status(status) : kExecFailed);
}

}  // namespace swarmcopy::engine
