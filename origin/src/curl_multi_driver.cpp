#include "curl_multi_driver.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <new>
#include <utility>

namespace swarmcopy::engine::origin {

// One socket curl asked us to watch. `descriptor` never owns the fd (see the header).
struct CurlMultiDriver::Watch {
  Watch(boost::asio::io_context& io, curl_socket_t socket) : descriptor(io), fd(socket) {}

  boost::asio::posix::stream_descriptor descriptor;
  curl_socket_t fd;
  bool want_read = false;
  bool want_write = false;
  bool read_pending = false;
  bool write_pending = false;
  bool removed = false;
};

CurlMultiDriver::CurlMultiDriver(boost::asio::io_context& io, OnComplete on_complete,
                                 AfterAction after_action)
    : io_(io),
      on_complete_(std::move(on_complete)),
      after_action_(std::move(after_action)),
      timer_(io),
      multi_(curl_multi_init()) {
  if (!multi_) throw std::bad_alloc();
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETFUNCTION, &CurlMultiDriver::on_socket);
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERFUNCTION, &CurlMultiDriver::on_timer);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERDATA, this);
}

CurlMultiDriver::~CurlMultiDriver() {
  // curl_multi_cleanup closes the cached connections, calling on_socket / on_close_socket for
  // them; watches_ and timer_ are still alive for that. Afterwards no fd of curl's is left
  // open, but release whatever is still registered rather than let a descriptor close it.
  multi_.reset();
  for (auto& [fd, watch] : watches_) {
    watch->removed = true;
    watch->descriptor.release();
  }
  watches_.clear();
  timer_.cancel();
}

CURLMcode CurlMultiDriver::add(CURL* easy) {
  // The hooks are per easy handle, but curl copies them into the connection it makes, so they
  // also apply when the connection cache closes that connection long after `easy` is gone.
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlMultiDriver::on_open_socket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMultiDriver::on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  return curl_multi_add_handle(multi_.get(), easy);
}

void CurlMultiDriver::remove(CURL* easy) { curl_multi_remove_handle(multi_.get(), easy); }

int CurlMultiDriver::on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  static_cast<CurlMultiDriver*>(self)->watch(fd, what);
  return 0;
}

int CurlMultiDriver::on_timer(CURLM*, long timeout_ms, void* self) {
  static_cast<CurlMultiDriver*>(self)->schedule_timeout(timeout_ms);
  return 0;
}

curl_socket_t CurlMultiDriver::on_open_socket(void* self, curlsocktype, curl_sockaddr* address) {
  const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  // A watch under this number belongs to an fd that was closed behind our back (curl closes
  // its resolver's socketpair itself): it is stale, drop it before the number means this socket.
  static_cast<CurlMultiDriver*>(self)->unwatch(fd);
  return fd;
}

int CurlMultiDriver::on_close_socket(void* self, curl_socket_t fd) {
  // Normally curl said CURL_POLL_REMOVE just before; make sure asio has let go of the fd
  // before it is closed and its number can be reused.
  static_cast<CurlMultiDriver*>(self)->unwatch(fd);
  return ::close(fd);
}

void CurlMultiDriver::watch(curl_socket_t fd, int what) {
  if (what == CURL_POLL_REMOVE) {
    unwatch(fd);
    return;
  }
  auto& slot = watches_[fd];
  if (!slot) {
    auto watch = std::make_shared<Watch>(io_, fd);
    boost::system::error_code ec;
    watch->descriptor.assign(fd, ec);
    if (ec) {
      // epoll refused the fd: nothing asio can watch. curl's own timeouts end the transfer.
      watches_.erase(fd);
      return;
    }
    slot = std::move(watch);
  }
  slot->want_read = (what & CURL_POLL_IN) != 0;
  slot->want_write = (what & CURL_POLL_OUT) != 0;
  arm(slot);
}

void CurlMultiDriver::unwatch(curl_socket_t fd) {
  const auto it = watches_.find(fd);
  if (it == watches_.end()) return;
  const std::shared_ptr<Watch> watch = std::move(it->second);
  watches_.erase(it);
  watch->removed = true;
  // Deregisters from epoll (the fd is still open here) and aborts pending waits; their handlers
  // run later with operation_aborted and an expired weak_ptr.
  watch->descriptor.release();
}

void CurlMultiDriver::arm(const std::shared_ptr<Watch>& watch) {
  // One wait per direction at a time. A wait that is no longer wanted stays pending and is
  // ignored when it fires: asio cannot cancel one direction alone.
  const std::weak_ptr<Watch> weak = watch;
  if (watch->want_read && !watch->read_pending) {
    watch->read_pending = true;
    watch->descriptor.async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this, weak](const boost::system::error_code& ec) { on_ready(weak, true, ec); });
  }
  if (watch->want_write && !watch->write_pending) {
    watch->write_pending = true;
    watch->descriptor.async_wait(
        boost::asio::posix::stream_descriptor::wait_write,
        [this, weak](const boost::system::error_code& ec) { on_ready(weak, false, ec); });
  }
}

void CurlMultiDriver::on_ready(const std::weak_ptr<Watch>& weak, bool for_read,
                               const boost::system::error_code& ec) {
  // Only the watches_ map owns watches, so a live watch means a live driver.
  const std::shared_ptr<Watch> watch = weak.lock();
  if (!watch) return;
  (for_read ? watch->read_pending : watch->write_pending) = false;
  if (ec == boost::asio::error::operation_aborted || watch->removed) return;
  if (!(for_read ? watch->want_read : watch->want_write)) return;

  const int events = ec ? CURL_CSELECT_ERR : (for_read ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
  const std::weak_ptr<char> alive = alive_;
  action(watch->fd, events);
  if (alive.expired()) return;  // a completion callback destroyed the client
  // curl_multi_socket_action may have removed the watch (and the number may now name a new
  // socket with a new watch); only re-arm the one we woke for, if it is still current.
  if (!watch->removed) arm(watch);
}

void CurlMultiDriver::schedule_timeout(long timeout_ms) {
  ++timer_generation_;
  if (timeout_ms < 0) {
    timer_.cancel();
    return;
  }
  // Never call curl_multi_socket_action from inside this callback (curl forbids it): even a
  // zero timeout goes through the io_context.
  timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  timer_.async_wait([this, alive = std::weak_ptr<char>(alive_),
                     generation = timer_generation_](const boost::system::error_code& ec) {
    if (ec || alive.expired() || generation != timer_generation_) return;
    action(CURL_SOCKET_TIMEOUT, 0);
  });
}

void CurlMultiDriver::action(curl_socket_t fd, int events) {
  int running = 0;
  ++depth_;
  curl_multi_socket_action(multi_.get(), fd, events, &running);
  --depth_;
  after_action_();
  read_completions();
}

void CurlMultiDriver::resume(CURL* easy) {
  ++depth_;
  curl_easy_pause(easy, CURLPAUSE_CONT);
  --depth_;
  after_action_();
  read_completions();
}

void CurlMultiDriver::read_completions() {
  const std::weak_ptr<char> alive = alive_;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    // The message dies when its handle is removed, which on_complete_ does: copy first.
    CURL* const easy = message->easy_handle;
    const CURLcode result = message->data.result;
    on_complete_(easy, result);
    if (alive.expired()) return;
  }
}

}  // namespace swarmcopy::engine::origin
