#include "signals.h"

#include <signal.h>

#include <cerrno>
#include <ctime>

namespace swarmcopy::daemon {
namespace {

sigset_t handled() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void Signals::block() {
  const sigset_t set = handled();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

std::optional<SignalEvent> Signals::wait(std::chrono::milliseconds timeout) {
  const sigset_t set = handled();
  timespec wait_for{};
  wait_for.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  wait_for.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1'000'000);
  const int signal = ::sigtimedwait(&set, nullptr, &wait_for);
  if (signal < 0) return std::nullopt;  // EAGAIN (timeout) or EINTR
  return signal == SIGHUP ? SignalEvent::kReload : SignalEvent::kStop;
}

}  // namespace swarmcopy::daemon
