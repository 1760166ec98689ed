// TcpListener: a TCP listener serving a fixed set of GET pages: `metrics_listen` (/metrics)
// and `http_listen` (the activity page). TCP carries no uid, so no job API and no per-user
// view here: each page must hold machine totals only. Other paths 404, other methods 405. One
// request per connection (Connection: close), a 10 s deadline for the whole exchange, at most
// kMaxConnections at once (beyond: closed at once). Accepting, reading and writing run on the
// daemon's I/O context; rendering a page (which asks the engine) runs on the handler pool, as
// a route does. start/stop from the main thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "config.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::daemon {

class TcpListener {
 public:
  static constexpr int kMaxConnections = 16;
  struct Page {
    std::string content_type;
    std::function<std::string()> render;
  };
  // By path ("/metrics"); the query string is ignored.
  using Pages = std::map<std::string, Page>;

  // `name` (the config key) names the listener in errors and logs.
  TcpListener(boost::asio::io_context& io, boost::asio::thread_pool& handlers, std::string name,
              Pages pages);
  ~TcpListener();

  // Binds and listens (SO_REUSEADDR); an error names the key and the endpoint.
  api::Result<void> listen(const ListenEndpoint& endpoint);
  void start();
  void stop();
  // The bound port (a test's port 0 is not allowed by the config, but the OS's choice shows).
  std::uint16_t port() const;

  struct State;  // shared with the connections; defined in the .cpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace swarmcopy::daemon
