// Two peers that dial each other at once (crossed_dial_plugin.h), played out step by step: the
// test is the other peer, on raw sockets, so the order of events is the one that split pairs
// apart, every time. Our session dials it and gets no answer yet; it dials our session, which
// answers its handshake; its extended handshake names its listen port, the endpoint our
// session's unanswered connection went to. Its peer id is greater than ours, so the connection
// it made is the one both ends keep.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Greater than every "-SC0100-..." id ('~' > '-'), and smaller ('!' < '-').
constexpr char kGreaterPeerId[] = "~TEST~crossed~dial~~";
constexpr char kSmallerPeerId[] = "!TEST!crossed!dial!!";

std::string bytes_of_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// A BitTorrent handshake announcing the extension protocol (BEP 10).
std::string handshake(const std::string& info_hash_v1, const std::string& peer_id) {
  std::string message =
      "\x13"
      "BitTorrent protocol";
  std::string reserved(8, '\0');
  reserved[5] = 0x10;
  return message + reserved + bytes_of_hex(info_hash_v1) + peer_id;
}

// An extended handshake (BEP 10) naming `listen_port`, as a peer sends on a connection it made.
std::string extended_handshake(std::uint16_t listen_port) {
  const std::string payload = "d1:mde1:pi" + std::to_string(listen_port) + "ee";
  const auto length = static_cast<std::uint32_t>(payload.size() + 2);
  std::string message;
  for (int shift = 24; shift >= 0; shift -= 8)
    message.push_back(static_cast<char>(length >> shift));
  return message + '\x14' + '\x00' + payload;
}

// Reads (and drops) what arrives until the remote closes the connection (true) or `wait` ends.
bool closed_within(tcp::socket& socket, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  char buffer[4096];
  for (int reads = 0; reads < 10000; ++reads) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    pollfd fd{socket.native_handle(), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    const auto got = ::recv(socket.native_handle(), buffer, sizeof buffer, 0);
    if (got <= 0) return true;
  }
  return false;
}

class CrossedDialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(write_test_file(dir_.path() / "update.bin", 4 << 20));
    auto meta = peer::publish(dir_.path() / "update.bin", 256 << 10);
    ASSERT_TRUE(meta) << meta.error().describe();
    meta_ = *meta;
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    auto session = peer::Session::open(io_, options);
    ASSERT_TRUE(session);
    session_ = std::move(*session);
    auto swarm = session_->add_swarm(meta_, leech_dir_.path(), "out.part", false, {});
    ASSERT_TRUE(swarm);
    swarm_ = *swarm;
    for (int step = 0; step < 200 && session_->listen_port() == 0; ++step) {
      io_.run_for(25ms);
      io_.restart();
    }
    ASSERT_NE(session_->listen_port(), 0);
  }

  struct Crossed {
    tcp::socket ours;    // the session's connection to the peer, unanswered
    tcp::socket theirs;  // the peer's connection to the session, extended handshake sent
  };

  // Our session dials the peer, which leaves that connection unanswered for now; meanwhile the
  // peer's own dial reaches the session, handshakes as `peer_id` and names its listen port.
  std::optional<Crossed> cross_dials(const std::string& peer_id) {
    const tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
    tcp::acceptor listener(sockets_, loopback);
    const auto listen_port = listener.local_endpoint().port();
    session_->connect_peer(swarm_, "127.0.0.1", listen_port);
    auto ours = accept_within(listener, 10s);
    if (!ours) {
      ADD_FAILURE() << "the session never dialled";
      return std::nullopt;
    }
    tcp::socket theirs(sockets_);
    theirs.connect(tcp::endpoint(loopback.address(), session_->listen_port()));
    asio::write(theirs, asio::buffer(handshake(meta_.info_hash_v1, peer_id)));
    std::string answer(68, '\0');
    asio::read(theirs, asio::buffer(answer));
    if (answer.substr(0, 20) !=
        "\x13"
        "BitTorrent protocol") {
      ADD_FAILURE() << "no handshake from the session";
      return std::nullopt;
    }
    asio::write(theirs, asio::buffer(extended_handshake(listen_port)));
    return Crossed{std::move(*ours), std::move(theirs)};
  }

  // Accepts one connection on `acceptor` within `wait`.
  static std::optional<tcp::socket> accept_within(tcp::acceptor& acceptor,
                                                  std::chrono::milliseconds wait) {
    pollfd fd{acceptor.native_handle(), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(wait.count())) <= 0) return std::nullopt;
    return acceptor.accept();
  }

  TestDir dir_, leech_dir_;
  peer::Metainfo meta_;
  asio::io_context io_;
  asio::io_context sockets_;
  std::unique_ptr<peer::Session> session_;
  peer::SwarmId swarm_ = 0;
};

TEST_F(CrossedDialTest, TheConnectionTheGreaterPeerMadeIsKeptAndOursIsClosed) {
  auto crossed = cross_dials(kGreaterPeerId);
  ASSERT_TRUE(crossed);
  // The session keeps the peer's connection and closes its own (libtorrent alone dropped the
  // peer's, while the peer, whose id is greater, dropped the session's: none was left).
  EXPECT_TRUE(closed_within(crossed->ours, 5s)) << "the session's own connection stayed open";
  EXPECT_FALSE(closed_within(crossed->theirs, 2s)) << "the session closed the peer's connection";
}

TEST_F(CrossedDialTest, WithTheGreaterIdTheSessionKeepsTheConnectionItMade) {
  auto crossed = cross_dials(kSmallerPeerId);
  ASSERT_TRUE(crossed);
  // What the peer drops too: both ends keep the session's connection.
  EXPECT_TRUE(closed_within(crossed->theirs, 5s)) << "the session kept the peer's connection";
  EXPECT_FALSE(closed_within(crossed->ours, 2s)) << "the session closed its own connection";
}

}  // namespace
}  // namespace swarmcopy::test
