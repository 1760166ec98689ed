// The rendezvous of content nobody published: two real libtorrent sessions on loopback meet in
// a swarm added by an info-hash derived from the content's SHA-256, without metadata, and the
// one that holds the content hands its site metainfo to the one that wants it over the BEP 10
// extension (no new port). What arrives is checked before it is believed: a metainfo that is
// not the content's site metainfo (another name, another piece size) is never handed over.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "swarmcopy/util/sha256.h"
#include "swarmcopy/util/unique_fd.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

class RendezvousTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = dir_.path() / "content.bin";
    ASSERT_TRUE(write_test_file(path, kSize));
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    sha256_ = util::sha256_of_fd(fd.get(), path.string()).value_or("");
    ASSERT_EQ(sha256_.size(), 64u);
    auto meta = peer::make_site_metainfo(fd.get(), kSize, sha256_);
    ASSERT_TRUE(meta) << meta.error().describe();
    site_ = *meta;
    holder_ = open_session();
    wanter_ = open_session();
    ASSERT_TRUE(holder_ && wanter_);
  }

  std::unique_ptr<peer::Session> open_session() {
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    auto session = peer::Session::open(io_, options);
    EXPECT_TRUE(session) << session.error().describe();
    return session ? std::move(*session) : nullptr;
  }

  // Runs the io_context until `done` or 10 s.
  template <typename Done>
  void run_until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(20ms);
      io_.restart();
    }
  }

  // Runs the io_context for `time`: a claim that is not to come has had its chance.
  void run_for(std::chrono::milliseconds time) {
    const auto until = std::chrono::steady_clock::now() + time;
    run_until([&] { return std::chrono::steady_clock::now() > until; });
  }

  static constexpr std::uint64_t kSize = (1 << 20) + 12345;
  TestDir dir_;
  std::string sha256_;
  peer::Metainfo site_;
  boost::asio::io_context io_;
  std::unique_ptr<peer::Session> holder_, wanter_;
};

TEST_F(RendezvousTest, TheHolderHandsItsSiteMetainfoToAPeerThatWantsIt) {
  auto offered = holder_->join_rendezvous(sha256_, {});
  ASSERT_TRUE(offered) << offered.error().describe();
  holder_->offer_in_rendezvous(*offered, site_);

  std::vector<peer::MetainfoClaim> claims;
  auto wanted = wanter_->join_rendezvous(
      sha256_, [&](peer::MetainfoClaim claim) { claims.push_back(std::move(claim)); });
  ASSERT_TRUE(wanted) << wanted.error().describe();
  wanter_->want_in_rendezvous(*wanted, true);
  wanter_->connect_rendezvous_peer(*wanted, "127.0.0.1", holder_->listen_port());

  run_until([&] { return !claims.empty(); });
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(claims[0].meta.info_hash_v2, site_.info_hash_v2);
  EXPECT_EQ(claims[0].meta.bytes, site_.bytes);
  EXPECT_EQ(claims[0].meta.piece_roots, site_.piece_roots);
  EXPECT_EQ(claims[0].peer_id, holder_->peer_id());
  EXPECT_EQ(claims[0].address.rfind("127.0.0.1:", 0), 0u);
}

TEST_F(RendezvousTest, APeerThatDoesNotWantAsksForNothing) {
  auto offered = holder_->join_rendezvous(sha256_, {});
  ASSERT_TRUE(offered);
  holder_->offer_in_rendezvous(*offered, site_);
  int claims = 0;
  auto joined = wanter_->join_rendezvous(sha256_, [&](peer::MetainfoClaim) { ++claims; });
  ASSERT_TRUE(joined);
  wanter_->connect_rendezvous_peer(*joined, "127.0.0.1", holder_->listen_port());
  run_for(1500ms);  // time enough for a claim to arrive, were one sent
  EXPECT_EQ(claims, 0);
}

TEST_F(RendezvousTest, ARefutedMetainfoIsNotTakenAgain) {
  auto offered = holder_->join_rendezvous(sha256_, {});
  ASSERT_TRUE(offered);
  holder_->offer_in_rendezvous(*offered, site_);
  int claims = 0;
  auto joined = wanter_->join_rendezvous(sha256_, [&](peer::MetainfoClaim) { ++claims; });
  ASSERT_TRUE(joined);
  wanter_->want_in_rendezvous(*joined, true);
  wanter_->refute_in_rendezvous(*joined, site_.info_hash_v2);
  wanter_->connect_rendezvous_peer(*joined, "127.0.0.1", holder_->listen_port());
  run_for(1500ms);  // time enough for a claim to arrive, were one sent
  EXPECT_EQ(claims, 0);
}

// A holder that offers a metainfo for other bytes under this SHA-256's name passes every check
// a metainfo alone allows (that is what the content must refute); one that is not even a site
// metainfo of the content (a published one: another name) is refused on arrival.
TEST_F(RendezvousTest, AMetainfoThatIsNotTheContentsSiteMetainfoIsRefusedOnArrival) {
  auto published = peer::publish(dir_.path() / "content.bin", 16 << 10);
  ASSERT_TRUE(published) << published.error().describe();
  auto offered = holder_->join_rendezvous(sha256_, {});
  ASSERT_TRUE(offered);
  holder_->offer_in_rendezvous(*offered, *published);
  int claims = 0;
  auto joined = wanter_->join_rendezvous(sha256_, [&](peer::MetainfoClaim) { ++claims; });
  ASSERT_TRUE(joined);
  wanter_->want_in_rendezvous(*joined, true);
  wanter_->connect_rendezvous_peer(*joined, "127.0.0.1", holder_->listen_port());
  run_for(1500ms);  // time enough for a claim to arrive, were one sent
  EXPECT_EQ(claims, 0);
}

// A hostile peer offers one new metainfo after another (each a well-formed site metainfo of
// other bytes under the content's SHA-256, so each passes the checks made on arrival): each
// would be sent and parsed, up to 768 KiB a time. One address is asked for a few only.
TEST_F(RendezvousTest, OneAddressIsAskedForAFewMetainfosOnly) {
  auto offered = holder_->join_rendezvous(sha256_, {});
  ASSERT_TRUE(offered);
  int claims = 0;
  auto joined = wanter_->join_rendezvous(sha256_, [&](peer::MetainfoClaim) { ++claims; });
  ASSERT_TRUE(joined);
  wanter_->want_in_rendezvous(*joined, true);
  wanter_->connect_rendezvous_peer(*joined, "127.0.0.1", holder_->listen_port());
  constexpr int kAnswered = peer::kMaxMetainfosPerAddress;
  for (int round = 0; round < 2 * kAnswered; ++round) {
    const auto path = dir_.path() / ("other" + std::to_string(round) + ".bin");
    ASSERT_TRUE(write_test_file(path, kSize, 100 + static_cast<std::uint64_t>(round)));
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    auto lie = peer::make_site_metainfo(fd.get(), kSize, sha256_);
    ASSERT_TRUE(lie) << lie.error().describe();
    holder_->offer_in_rendezvous(*offered, *lie);
    if (round < kAnswered) {
      run_until([&] { return claims > round; });
      ASSERT_EQ(claims, round + 1);
    } else {
      run_for(2500ms);  // a new offer goes out on the connection's next tick (1 s)
    }
  }
  EXPECT_EQ(claims, kAnswered);
}

TEST_F(RendezvousTest, TheRendezvousInfoHashFollowsFromTheSha256Alone) {
  EXPECT_EQ(peer::Session::rendezvous_info_hash(sha256_),
            peer::Session::rendezvous_info_hash(sha256_));
  EXPECT_NE(peer::Session::rendezvous_info_hash(sha256_),
            peer::Session::rendezvous_info_hash(std::string(64, '0')));
  EXPECT_EQ(peer::Session::rendezvous_info_hash(sha256_).size(), 40u);
}

}  // namespace
}  // namespace swarmcopy::test
