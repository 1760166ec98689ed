// Server: the daemon's UNIX socket. Binds it (after making sure no other daemon answers on
// it: a stale socket file left by a killed daemon is removed, a live one is refused), accepts
// connections, identifies each caller with SO_PEERCRED and gives it a Session. Keeps the set
// of live sessions so that stop() can close them all and the idle monitor can count them.
//
// Threads: accept and sessions run on the io_context (any number of threads); handlers on the
// pool in SessionContext. listen() and stop() from the main thread; counts from any thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "daemon_mode.h"
#include "session.h"
#include "session_context.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::daemon {

class Server {
 public:
  Server(boost::asio::io_context& io, SessionContext context, DaemonMode mode);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on `socket` (its directory created if missing: 0755 in system mode,
  // 0700 in user mode; the socket 0666 / 0600). Fails if another daemon answers there.
  api::Result<void> listen(const std::filesystem::path& socket);
  // Starts accepting (on the io_context's threads).
  void start();
  // Stops accepting, removes the socket file, closes every session. Idempotent.
  void stop();

  std::size_t connection_count() const;

 private:
  void accept();
  void on_accept(boost::system::error_code ec, Session::Socket socket);
  std::shared_ptr<Session> make_session(Session::Socket socket, const engine::Caller& caller);
  // Why a new session of `caller` may not be served now (503), or nullopt. Counts include it.
  std::optional<std::string> refusal(const engine::Caller& caller) const;

  boost::asio::io_context& io_;
  SessionContext context_;
  DaemonMode mode_;
  // On a strand: accept completions, the retry timer and stop() never race.
  boost::asio::basic_socket_acceptor<boost::asio::local::stream_protocol,
                                     boost::asio::strand<boost::asio::io_context::executor_type>>
      acceptor_;
  boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                    boost::asio::wait_traits<std::chrono::steady_clock>,
                                    boost::asio::strand<boost::asio::io_context::executor_type>>
      retry_timer_;
  std::filesystem::path socket_path_;
  std::atomic<bool> stopped_{false};
  std::chrono::steady_clock::time_point last_accept_warning_{};

  // The live sessions. Shared with each session's end callback, because a session may be
  // destroyed after the server (when the io_context drops its last handler).
  struct Registry {
    std::mutex mutex;
    std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
    std::unordered_map<std::uint32_t, std::size_t> by_uid;  // live sessions per caller uid
  };
  std::shared_ptr<Registry> registry_ = std::make_shared<Registry>();
};

}  // namespace swarmcopy::daemon
