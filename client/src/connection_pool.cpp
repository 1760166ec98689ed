#include "connection_pool.h"

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace swarmcopy::client {
namespace {

// Idle connections kept for reuse; more concurrent callers than this open and close their own.
constexpr std::size_t kMaxIdle = 8;

bool is_system(const boost::system::error_code& error) {
  return error.category() == boost::system::system_category() ||
         error.category() == boost::system::generic_category();
}

}  // namespace

api::Error unavailable(const std::filesystem::path& socket, const std::string& what,
                       const boost::system::error_code& error) {
  std::string reason = error.message();
  int code = 0;
  if (error == boost::asio::error::timed_out) {
    reason = "no answer in time";
    code = ETIMEDOUT;
  } else if (error == boost::asio::error::eof ||
             error == boost::beast::http::error::end_of_stream ||
             error == boost::beast::http::error::partial_message) {
    reason = "the daemon closed the connection";
  } else if (is_system(error)) {
    code = error.value();
    if (code == ENOENT) reason = "no socket there (is swarmcopyd running?)";
    if (code == ECONNREFUSED) reason = "nobody listens (is swarmcopyd running?)";
  }
  return api::Error{api::ErrorContext::kGeneralQueueManager,
                    api::ErrorKind::kUnavailable,
                    code,
                    what + ": " + reason,
                    socket.string(),
                    api::Protocol::kLocal};
}

ConnectionPool::ConnectionPool(std::filesystem::path socket, std::chrono::milliseconds call_timeout)
    : socket_(std::move(socket)), call_timeout_(call_timeout) {}

std::optional<HttpConnection> ConnectionPool::take_idle() {
  std::lock_guard lock(mutex_);
  while (!idle_.empty()) {
    HttpConnection connection = std::move(idle_.back());
    idle_.pop_back();
    // The daemon closes idle connections after its read deadline, and all of them when it
    // restarts: such a connection reads as EOF at once.
    if (!connection.is_stale()) return connection;
  }
  return std::nullopt;
}

void ConnectionPool::give_back(HttpConnection connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

void ConnectionPool::drop_idle() {
  std::lock_guard lock(mutex_);
  idle_.clear();
}

api::Result<HttpResponse> ConnectionPool::exchange(const HttpRequest& request) {
  const auto deadline = UnixStream::Clock::now() + call_timeout_;
  // A reused connection may have died since its last answer (the daemon restarted, or closed
  // it just now): then the call is made once more on a fresh one, if that cannot do it twice.
  for (int attempt = 0;; ++attempt) {
    std::optional<HttpConnection> connection = attempt == 0 ? take_idle() : std::nullopt;
    const bool reused = connection.has_value();
    if (!connection) {
      auto opened = HttpConnection::open(socket_, deadline);
      if (!opened)
        return std::unexpected(unavailable(socket_, "cannot reach swarmcopyd", opened.error()));
      connection.emplace(std::move(*opened));
    }
    auto response = connection->exchange(request, deadline);
    if (response) {
      if (response->keep_alive) give_back(std::move(*connection));
      return std::move(*response);
    }
    const auto& failure = response.error();
    const bool timed_out = failure.error == boost::asio::error::timed_out;
    const bool safe_to_repeat = !failure.sent || (!failure.answered && request.idempotent());
    if (reused && attempt == 0 && !timed_out && safe_to_repeat) {
      drop_idle();  // siblings of a dead connection are dead too
      continue;
    }
    return std::unexpected(unavailable(socket_, "swarmcopyd did not answer", failure.error));
  }
}

}  // namespace swarmcopy::client
