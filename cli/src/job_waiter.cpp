#include "job_waiter.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace swarmcopy::cli {

std::expected<JobWaiter, std::string> JobWaiter::create() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (const int rc = ::pthread_sigmask(SIG_BLOCK, &signals, nullptr); rc != 0) {
    return std::unexpected(std::string("pthread_sigmask: ") + std::strerror(rc));
  }
  util::UniqueFd signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd) return std::unexpected(std::string("signalfd: ") + std::strerror(errno));
  util::UniqueFd event_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!event_fd) return std::unexpected(std::string("eventfd: ") + std::strerror(errno));
  return JobWaiter(std::move(signal_fd), std::make_shared<WakeCallback>(std::move(event_fd)));
}

JobWaiter::Wakeup JobWaiter::wait(std::chrono::milliseconds timeout) {
  std::array<pollfd, 2> fds{{
      {signal_fd_.get(), POLLIN, 0},
      {callback_->fd(), POLLIN, 0},
  }};
  int ready = -1;
  do {
    ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return {};
  if (fds[0].revents & POLLIN) {
    signalfd_siginfo info{};
    if (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      return {Event::kSignal, static_cast<int>(info.ssi_signo)};
    }
  }
  if (fds[1].revents & POLLIN) {
    callback_->drain();
    return {Event::kWoken, 0};
  }
  return {};
}

}  // namespace swarmcopy::cli
