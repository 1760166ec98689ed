// CurlMultiDriver: runs libcurl's multi interface on a boost::asio::io_context. curl tells us
// which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it (CURLMOPT_TIMERFUNCTION);
// asio waits for readiness and we hand it back with curl_multi_socket_action. No thread of its
// own: everything, including the completion callback, runs on the io_context's thread, and
// the driver must only be used from there.
//
// Socket lifetime rule: curl owns every fd. asio watches one through a stream_descriptor that
// is release()d (never closed) when curl says CURL_POLL_REMOVE or is about to close the fd
// (CURLOPT_CLOSESOCKETFUNCTION, which then closes it). Wait handlers hold only a weak_ptr to
// their watch, so a handler that fires after removal, or after the fd number was reused for a
// new socket, finds nothing and does nothing.
#pragma once

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "curl_handles.h"

namespace swarmcopy::engine::origin {

class CurlMultiDriver {
 public:
  // A transfer finished (CURLMSG_DONE). The handle is still in the multi: the callee removes it.
  using OnComplete = std::function<void(CURL* easy, CURLcode result)>;
  // Runs after every curl_multi_socket_action, before completions are read: the moment to
  // apply what callbacks deferred because they ran inside curl.
  using AfterAction = std::function<void()>;

  CurlMultiDriver(boost::asio::io_context& io, OnComplete on_complete, AfterAction after_action);
  // Every easy handle must have been removed. Closes curl's cached connections; no callback runs.
  ~CurlMultiDriver();
  CurlMultiDriver(const CurlMultiDriver&) = delete;
  CurlMultiDriver& operator=(const CurlMultiDriver&) = delete;

  // Installs the socket open/close hooks on `easy` and adds it. Not while inside_curl().
  CURLMcode add(CURL* easy);
  // Not while inside_curl(); curl forbids multi calls from its own callbacks.
  void remove(CURL* easy);
  // Unpauses `easy` (paused by its write callback). curl may hand over the bytes it kept at
  // once, from inside this call: it counts as an action (after_action, completions). Not while
  // inside_curl().
  void resume(CURL* easy);
  // True while curl_multi_socket_action runs, i.e. inside curl's (and so the user's) callbacks.
  bool inside_curl() const { return depth_ > 0; }

 private:
  struct Watch;

  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int on_close_socket(void* self, curl_socket_t fd);

  void watch(curl_socket_t fd, int what);
  void unwatch(curl_socket_t fd);
  void arm(const std::shared_ptr<Watch>& watch);
  void on_ready(const std::weak_ptr<Watch>& weak, bool for_read,
                const boost::system::error_code& ec);
  void schedule_timeout(long timeout_ms);
  void action(curl_socket_t fd, int events);
  void read_completions();

  boost::asio::io_context& io_;
  OnComplete on_complete_;
  AfterAction after_action_;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> watches_;
  boost::asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  int depth_ = 0;
  // Handlers queued in the io_context check this before touching the driver: it may be gone.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  CurlMulti multi_;  // last: cleaned up first, while watches_ and timer_ still exist
};

}  // namespace swarmcopy::engine::origin
