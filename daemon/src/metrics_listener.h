// MetricsListener: the TCP listener of `metrics_listen`. It serves GET /metrics and nothing
// else (TCP carries no uid, so no job API and no per-user view here): other paths 404, other
// methods 405. One request per connection (Connection: close), a 10 s deadline for the whole
// exchange, at most kMaxConnections at once (beyond: closed at once). Accepting, reading and
// writing run on the daemon's I/O context; the scrape itself (which asks the engine) runs on
// the handler pool, as a route does. start/stop from the main thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "config.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::daemon {

class MetricsListener {
 public:
  static constexpr int kMaxConnections = 16;
  using Scrape = std::function<std::string()>;

  MetricsListener(boost::asio::io_context& io, boost::asio::thread_pool& handlers, Scrape scrape);
  ~MetricsListener();

  // Binds and listens (SO_REUSEADDR); an error names the endpoint.
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
