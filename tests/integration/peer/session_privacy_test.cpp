// What a peer session tells the network, besides pieces to peers that know the content: nothing.
// A metainfo's trackers and web seeds are never contacted (a crafted .torrent made the daemon a
// client of any host it named), and peers are not offered ut_metadata (the metadata, file name
// and all, to anyone who knows the info-hash) or ut_pex (who else is in the swarm).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "fault_server/fault_server.h"
#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "test_dir/test_dir.h"
#include "tracker/tracker.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

std::string bencoded(const std::string& text) { return std::to_string(text.size()) + ":" + text; }

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return bytes;
}

class SessionPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(write_test_file(dir_.path() / "update.bin", kSize));
    auto meta = peer::publish(dir_.path() / "update.bin", 256 << 10);
    ASSERT_TRUE(meta) << meta.error().describe();
    meta_ = *meta;
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    auto session = peer::Session::open(io_, options);
    ASSERT_TRUE(session) << session.error().describe();
    session_ = std::move(*session);
  }

  void run_for(std::chrono::milliseconds total) {
    const auto deadline = std::chrono::steady_clock::now() + total;
    while (std::chrono::steady_clock::now() < deadline) {
      io_.run_for(50ms);
      io_.restart();
    }
  }

  static constexpr std::uint64_t kSize = 2 << 20;
  TestDir dir_, empty_;
  peer::Metainfo meta_;
  boost::asio::io_context io_;
  std::unique_ptr<peer::Session> session_;
};

TEST_F(SessionPrivacyTest, TrackersAndWebSeedsOfTheMetainfoAreNeverContacted) {
  Tracker tracker;
  FaultServer web_seed;
  // The published metainfo with an announce URL and a web seed added (outside the info
  // dictionary: the info-hash, and so the content identity, is the same).
  std::string bytes(meta_.bytes.begin(), meta_.bytes.end());
  ASSERT_EQ(bytes.front(), 'd');
  ASSERT_EQ(bytes.back(), 'e');
  bytes = "d" + bencoded("announce") + bencoded(tracker.announce_url()) + bytes.substr(1);
  bytes.pop_back();
  bytes += bencoded("url-list") + "l" + bencoded(web_seed.url("/seed/")) + "ee";
  auto crafted = peer::parse_metainfo(std::vector<char>(bytes.begin(), bytes.end()), "crafted");
  ASSERT_TRUE(crafted) << crafted.error().describe();
  ASSERT_EQ(crafted->info_hash_v2, meta_.info_hash_v2);

  // A downloader with nothing: it would announce at once and ask the web seed for pieces.
  auto swarm = session_->add_swarm(*crafted, empty_.path(), "update.bin", false, {}, true);
  ASSERT_TRUE(swarm) << swarm.error().describe();
  run_for(3s);  // libtorrent announces within its first tick (500 ms)
  EXPECT_TRUE(tracker.announces().empty()) << "the metainfo's tracker was contacted";
  EXPECT_TRUE(web_seed.requests().empty()) << "the metainfo's web seed was contacted";
}

// A raw BitTorrent handshake with the extension protocol bit set: what libtorrent offers in its
// extension handshake (BEP 10) shows in the dictionary's "m".
TEST_F(SessionPrivacyTest, PeersAreOfferedNeitherMetadataNorPeerExchange) {
  auto swarm = session_->add_swarm(meta_, dir_.path(), "update.bin", true, {});
  ASSERT_TRUE(swarm) << swarm.error().describe();
  run_for(200ms);

  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(session_->listen_port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  std::string handshake =
      "\x13"
      "BitTorrent protocol";
  std::string reserved(8, '\0');
  reserved[5] = 0x10;  // BEP 10: extension protocol
  handshake +=
      reserved + from_hex(meta_.info_hash_v1) + std::string("-XX0001-") + std::string(12, 'a');
  ASSERT_EQ(::send(fd, handshake.data(), handshake.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(handshake.size()));

  // Everything it sends while the session runs for a while (bounded).
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline) {
    io_.run_for(20ms);
    io_.restart();
    pollfd ready{fd, POLLIN, 0};
    while (::poll(&ready, 1, 0) > 0) {
      char buffer[4096];
      const auto n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  ASSERT_GE(received.size(), 68u) << "no handshake came back";
  EXPECT_EQ(received.find("ut_metadata"), std::string::npos) << "ut_metadata offered";
  EXPECT_EQ(received.find("ut_pex"), std::string::npos) << "ut_pex offered";
}

}  // namespace
}  // namespace swarmcopy::test
