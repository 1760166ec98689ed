#include "tracker/tracker.h"

// Before any Boost header: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>

namespace swarmcopy::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr std::string_view kHex = "0123456789abcdef";

std::string to_hex(std::string_view bytes) {
  std::string hex;
  for (const unsigned char byte : bytes) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0x0f];
  }
  return hex;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

int hex_value(char c) {
  const auto at = kHex.find(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// RFC 3986 percent-decoding; '+' stays '+' (clients encode a binary info_hash byte by byte).
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> fields;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (key && value) fields[*key] = *value;
  }
  return fields;
}

std::string bencoded(std::string_view text) {
  return std::to_string(text.size()) + ":" + std::string(text);
}

std::string failure(std::string_view reason) {
  return "d14:failure reason" + bencoded(reason) + "e";
}

}  // namespace

struct Tracker::Impl {
  Impl() : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port = acceptor.local_endpoint().port();
    asio::co_spawn(io, accept_loop(), asio::detached);
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    asio::post(io, [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      for (tcp::socket* socket : open_sockets) socket->close(ignored);
    });
    thread.join();
  }

  asio::awaitable<void> accept_loop() {
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) continue;  // closed (the loop ends) or a transient accept failure
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  // Registers the session's socket for shutdown while the session lives (io thread only).
  struct OpenSocket {
    OpenSocket(Impl& impl, tcp::socket& socket) : impl(impl), socket(&socket) {
      impl.open_sockets.insert(this->socket);
    }
    ~OpenSocket() { impl.open_sockets.erase(socket); }
    Impl& impl;
    tcp::socket* socket;
  };

  asio::awaitable<void> session(tcp::socket socket) {
    OpenSocket registered(*this, socket);
    boost::beast::flat_buffer buffer;
    for (;;) {
      boost::system::error_code ec;
      http::request<http::string_body> request;
      co_await http::async_read(socket, buffer, request,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;

      http::response<http::string_body> response;
      response.version(request.version());
      response.keep_alive(request.keep_alive());
      response.set(http::field::content_type, "text/plain");
      const std::string target(request.target());
      const auto question = target.find('?');
      if (target.substr(0, question) != "/announce" || request.method() != http::verb::get) {
        response.result(http::status::not_found);
        response.body() = "not a tracker path\n";
      } else {
        response.result(http::status::ok);
        const std::string_view query = question == std::string::npos
                                           ? std::string_view{}
                                           : std::string_view(target).substr(question + 1);
        response.body() = answer(query, std::string(request[http::field::user_agent]));
      }
      response.prepare_payload();
      co_await http::async_write(socket, response, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !request.keep_alive()) {
        socket.shutdown(tcp::socket::shutdown_send, ec);
        co_return;
      }
    }
  }

  // The bencoded body for one announce (a failure reason is a 200 too, as BEP 3 has it).
  std::string answer(std::string_view query, std::string user_agent) {
    auto fields = parse_query(query);
    const auto hash = fields.find("info_hash");
    if (hash == fields.end() || hash->second.size() != 20) {
      return failure("info_hash missing or not 20 bytes");
    }
    Announce announce;
    announce.info_hash = to_hex(hash->second);
    announce.peer_id = fields["peer_id"];
    announce.event = fields["event"];
    announce.left = fields["left"];
    announce.user_agent = std::move(user_agent);
    try {
      announce.port = static_cast<std::uint16_t>(std::stoul(fields["port"]));
    } catch (const std::exception&) {
      return failure("port missing or not a number");
    }
    std::lock_guard lock(mutex);
    recorded.push_back(announce);
    const std::string& compact = swarms[announce.info_hash];
    return "d8:intervali60e5:peers" + bencoded(compact) + "e";
  }

  asio::io_context io;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::thread thread;
  std::unordered_set<tcp::socket*> open_sockets;  // io thread only

  mutable std::mutex mutex;                   // guards everything below
  std::map<std::string, std::string> swarms;  // info-hash hex -> compact peers (6 bytes each)
  std::vector<Announce> recorded;
};

Tracker::Tracker() : impl_(std::make_unique<Impl>()) {}
Tracker::~Tracker() = default;

std::uint16_t Tracker::port() const { return impl_->port; }

std::string Tracker::announce_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/announce";
}

void Tracker::add_peer(const std::string& info_hash, const std::string& ipv4, std::uint16_t port) {
  const auto address = asio::ip::make_address_v4(ipv4).to_bytes();
  std::string compact(address.begin(), address.end());
  compact += static_cast<char>(port >> 8);
  compact += static_cast<char>(port & 0xff);
  std::lock_guard lock(impl_->mutex);
  impl_->swarms[lower(info_hash)] += compact;
}

std::vector<Announce> Tracker::announces() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recorded;
}

}  // namespace swarmcopy::test
