#include "server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstring>

#include "peer_credentials.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::daemon {
namespace {

namespace asio = boost::asio;
using Protocol = asio::local::stream_protocol;

api::Error local_error(std::string message, int err, const std::filesystem::path& path) {
  return api::Error{api::ErrorContext::kLocalFile,
                    api::ErrorKind::kLocalIo,
                    err,
                    std::move(message),
                    path.string(),
                    api::Protocol::kLocal};
}

// What is at `path` now: nothing, a socket nobody answers on (a daemon was killed), a socket
// a live daemon answers on, or something else.
enum class SocketState { kAbsent, kStale, kLive, kNotASocket };

api::Result<SocketState> probe(const std::filesystem::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return SocketState::kAbsent;
    return std::unexpected(
        local_error(std::string("cannot stat socket path: ") + std::strerror(errno), errno, path));
  }
  if (!S_ISSOCK(info.st_mode)) return SocketState::kNotASocket;
  util::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return std::unexpected(local_error("socket()", errno, path));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const auto text = path.string();
  if (text.size() >= sizeof address.sun_path) {
    return std::unexpected(local_error("socket path too long", ENAMETOOLONG, path));
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    return SocketState::kLive;
  }
  if (errno == ECONNREFUSED || errno == ENOENT) return SocketState::kStale;
  // EAGAIN: a live daemon with a full backlog; anything else: do not guess.
  if (errno == EAGAIN) return SocketState::kLive;
  return std::unexpected(
      local_error(std::string("cannot probe the socket: ") + std::strerror(errno), errno, path));
}

bool is_resource_shortage(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}

}  // namespace

Server::Server(asio::io_context& io, SessionContext context, DaemonMode mode)
    : io_(io),
      context_(context),
      mode_(mode),
      acceptor_(asio::make_strand(io)),
      retry_timer_(acceptor_.get_executor()) {}

Server::~Server() { stop(); }

api::Result<void> Server::listen(const std::filesystem::path& socket) {
  const auto dir = socket.parent_path();
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return std::unexpected(local_error("cannot create " + dir.string(), ec.value(), dir));
    // Only a directory we made gets our mode; an existing one is the administrator's choice.
    ::chmod(dir.c_str(), mode_ == DaemonMode::kSystem ? 0755 : 0700);
  }
  auto state = probe(socket);
  if (!state) return std::unexpected(state.error());
  switch (*state) {
    case SocketState::kLive:
      return std::unexpected(api::Error{api::ErrorContext::kGeneralQueueManager,
                                        api::ErrorKind::kUnavailable, 0,
                                        "another swarmcopyd is already listening on this socket",
                                        socket.string(), api::Protocol::kLocal});
    case SocketState::kNotASocket:
      return std::unexpected(
          local_error("exists and is not a socket: not removing it", EEXIST, socket));
    case SocketState::kStale:
      spdlog::info("removing the stale socket {} (nothing answers on it)", socket.string());
      if (::unlink(socket.c_str()) != 0 && errno != ENOENT) {
        return std::unexpected(local_error("cannot remove the stale socket", errno, socket));
      }
      break;
    case SocketState::kAbsent:
      break;
  }
  boost::system::error_code bec;
  acceptor_.open(Protocol(), bec);
  if (!bec) acceptor_.bind(Protocol::endpoint(socket.string()), bec);
  if (bec)
    return std::unexpected(local_error("cannot bind: " + bec.message(), bec.value(), socket));
  // Access control is SO_PEERCRED per request; the file mode only decides who may connect.
  ::chmod(socket.c_str(), mode_ == DaemonMode::kSystem ? 0666 : 0600);
  acceptor_.listen(asio::socket_base::max_listen_connections, bec);
  if (bec)
    return std::unexpected(local_error("cannot listen: " + bec.message(), bec.value(), socket));
  socket_path_ = socket;
  return {};
}

void Server::start() { accept(); }

void Server::accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](boost::system::error_code ec, Session::Socket socket) {
                           on_accept(ec, std::move(socket));
                         });
}

void Server::on_accept(boost::system::error_code ec, Session::Socket socket) {
  if (stopped_) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_accept_warning_ > std::chrono::seconds(5)) {
      spdlog::warn("accept failed: {}", ec.message());
      last_accept_warning_ = now;
    }
    if (is_resource_shortage(ec)) {
      // Out of descriptors: accepting again at once would spin. Wait for some to close.
      retry_timer_.expires_after(std::chrono::milliseconds(50));
      retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && !stopped_) accept();
      });
      return;
    }
    return accept();
  }
  accept();

  auto credentials = peer_credentials(socket.native_handle());
  if (!credentials) {
    spdlog::warn("closing a connection: {}", credentials.error().message);
    return;
  }
  engine::Caller caller{credentials->uid, credentials->gid, credentials->uid == 0, std::nullopt};
  if (mode_ == DaemonMode::kUser) {
    // A user's daemon serves that user only; its socket directory is 0700 anyway.
    if (credentials->uid != ::getuid()) {
      spdlog::warn("refusing uid {} on a user daemon", credentials->uid);
      return;
    }
    caller.admin = false;
  }
  auto session = make_session(std::move(socket), caller);
  if (auto refused = refusal(caller)) {
    session->reject(Reply::error(
        503, api::Error{api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable, 0,
                        *refused, "", api::Protocol::kNone}));
    return;
  }
  session->start();
}

std::optional<std::string> Server::refusal(const engine::Caller& caller) const {
  const auto limit = context_.limits.max_connections.load();
  const bool privileged = caller.admin || caller.uid == ::getuid();
  std::lock_guard lock(registry_->mutex);
  if (registry_->sessions.size() > limit - (privileged ? 0 : admin_reserve(limit))) {
    return "too many connections: try again";
  }
  const auto per_user = context_.limits.max_connections_per_user.load();
  const auto it = registry_->by_uid.find(caller.uid);
  if (!privileged && it != registry_->by_uid.end() && it->second > per_user) {
    return "too many connections for uid " + std::to_string(caller.uid) + " (limit " +
           std::to_string(per_user) + ", max_connections_per_user): close some and try again";
  }
  return std::nullopt;
}

std::shared_ptr<Session> Server::make_session(Session::Socket socket,
                                              const engine::Caller& caller) {
  auto registry = registry_;
  auto session = std::make_shared<Session>(std::move(socket), caller, context_);
  // The end callback is set after construction so that it can name the session's address.
  const Session* key = session.get();
  const auto uid = caller.uid;
  session->set_on_end([registry, key, uid] {
    std::lock_guard lock(registry->mutex);
    if (registry->sessions.erase(key) > 0 && --registry->by_uid[uid] == 0) {
      registry->by_uid.erase(uid);
    }
  });
  std::lock_guard lock(registry->mutex);
  registry->sessions.emplace(key, session);
  ++registry->by_uid[uid];
  return session;
}

std::size_t Server::connection_count() const {
  std::lock_guard lock(registry_->mutex);
  return registry_->sessions.size();
}

void Server::stop() {
  if (stopped_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
  if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(registry_->mutex);
    for (const auto& [key, weak] : registry_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (const auto& session : live) session->close();
}

}  // namespace swarmcopy::daemon
