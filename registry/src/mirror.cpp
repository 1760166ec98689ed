#include "swarmcopy/registry/mirror.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>

#include "connection.h"
#include "mirror_state.h"
#include "swarmcopy/util/tcp_listen.h"

namespace swarmcopy::registry {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void accept_next(const std::shared_ptr<Mirror::State>& state);

void on_accept(const std::shared_ptr<Mirror::State>& state, boost::system::error_code ec,
               tcp::socket socket) {
  if (ec == asio::error::operation_aborted || state->stopped) return;
  if (ec) {
    // Out of descriptors, most likely: pause rather than spin.
    spdlog::warn("registry mirror: accept: {}", ec.message());
    auto timer = std::make_shared<asio::steady_timer>(state->acceptor.get_executor(),
                                                      std::chrono::milliseconds(50));
    timer->async_wait([state, timer](boost::system::error_code) {
      if (!state->stopped) accept_next(state);
    });
    return;
  }
  if (++state->connections > state->options.max_connections) {
    --state->connections;
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    serve_connection(std::move(socket), state);
  }
  accept_next(state);
}

// The client context of https upstreams: TLS 1.2 or later, the system's CAs and the site's.
std::string configure_client_tls(asio::ssl::context& tls, const MirrorOptions& options) {
  boost::system::error_code ec;
  tls.set_default_verify_paths(ec);
  if (ec) return "the system's certificate authorities: " + ec.message();
  tls.set_verify_mode(asio::ssl::verify_peer);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  if (options.extra_ca && !options.extra_ca->add_to(tls.native_handle())) {
    return "tls_ca_file: OpenSSL refused a certificate";
  }
  return {};
}

void accept_next(const std::shared_ptr<Mirror::State>& state) {
  state->acceptor.async_accept(asio::make_strand(state->io),
                               [state](boost::system::error_code ec, tcp::socket socket) {
                                 on_accept(state, ec, std::move(socket));
                               });
}

}  // namespace

Mirror::State::State(asio::io_context& io, MirrorOptions options, std::shared_ptr<BlobSource> blobs)
    : io(io),
      options(std::move(options)),
      blobs(std::move(blobs)),
      acceptor(asio::make_strand(io)),
      fetchers(static_cast<std::size_t>(std::max(1, this->options.max_blob_fetches))),
      tls(asio::ssl::context::tls_client) {
  tls_error = configure_client_tls(tls, this->options);
}

Mirror::Mirror(asio::io_context& io, MirrorOptions options, std::shared_ptr<BlobSource> blobs)
    : state_(std::make_shared<State>(io, std::move(options), std::move(blobs))) {}

Mirror::~Mirror() {
  stop();
  // Fetches see `stopped` and give up; their answers find the connections closed or gone.
  state_->fetchers.join();
}

std::expected<void, std::string> Mirror::listen(const std::string& address, std::uint16_t port) {
  auto failed = [&](const boost::system::error_code& ec) {
    return std::unexpected("registry_mirror_listen " + address + ":" + std::to_string(port) + ": " +
                           ec.message());
  };
  if (!state_->tls_error.empty()) return std::unexpected("registry mirror: " + state_->tls_error);
  if (const auto ec = util::listen_on(state_->acceptor, address, port); ec) return failed(ec);
  return {};
}

std::uint16_t Mirror::port() const {
  boost::system::error_code ec;
  const auto local = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : local.port();
}

void Mirror::start() {
  asio::post(state_->acceptor.get_executor(), [state = state_] { accept_next(state); });
}

void Mirror::stop() {
  if (state_->stopped.exchange(true)) return;
  auto state = state_;
  asio::post(state->acceptor.get_executor(), [state] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
}

}  // namespace swarmcopy::registry
