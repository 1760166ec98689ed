// NotifyCommands: runs jobs' notify command lines (SetNotifyCmdLine) — a program and its
// arguments, never through a shell — as the job's owner: a process running as root forks,
// takes the owner's supplementary groups, gid and uid (raw syscalls, in the child only) and
// only then executes, so a user's program never runs with root's rights. The child gets
// /dev/null as stdin/stdout/stderr, "/" as its directory, no descriptor of ours, a clean
// signal mask, and SWARMCOPY_JOB_ID / SWARMCOPY_JOB_STATE in its environment (as root: a
// minimal environment from the owner's passwd entry; otherwise ours).
//
// Never blocks: each child is watched through a pidfd on the io_context and reaped when it
// ends; one that outlives the timeout is killed (SIGKILL). Its exit status reaches `done` on
// the io_context's thread: the exit code, 128 + the signal that ended it (shell style), 126
// when the owner's credentials could not be taken, 127 when the program could not be
// executed. Engine thread only; destroying it kills and reaps whatever still runs.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::engine {

struct NotifyLaunch {
  std::vector<std::string> argv;  // argv[0]: an absolute path
  std::uint32_t uid = 0;          // the job's owner
  std::uint32_t gid = 0;
  std::string job_id;
  std::string job_state;
};

class NotifyCommands {
 public:
  using Done = std::function<void(int status)>;

  NotifyCommands(boost::asio::io_context& io, std::chrono::milliseconds timeout);
  ~NotifyCommands();
  NotifyCommands(const NotifyCommands&) = delete;
  NotifyCommands& operator=(const NotifyCommands&) = delete;

  // Starts the program; fails (and `done` never runs) when no process could be made, or when
  // this process is not root and the owner is another user.
  api::Result<void> start(const NotifyLaunch& launch, Done done);
  std::size_t running() const { return children_.size(); }

 private:
  struct Child;
  void on_exit(pid_t pid);

  boost::asio::io_context& io_;
  std::chrono::milliseconds timeout_;
  std::map<pid_t, std::unique_ptr<Child>> children_;
};

}  // namespace swarmcopy::engine
