// Real libtorrent sessions exchanging pieces on loopback: a seed and a downloader, origin data
// fed in with add_piece beside peer data, and bad origin data rejected by the hashes.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

class SwarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sha = write_test_file(seed_dir_.path() / "update.bin", kSize);
    ASSERT_TRUE(sha);
    sha_ = *sha;
    auto meta = peer::publish(seed_dir_.path() / "update.bin", kPiece);
    ASSERT_TRUE(meta) << meta.error().describe();
    meta_ = *meta;
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    auto seed = peer::Session::open(io_, options);
    auto leech = peer::Session::open(io_, options);
    ASSERT_TRUE(seed && leech);
    seed_ = std::move(*seed);
    leech_ = std::move(*leech);
  }

  // Runs the io_context (where alerts are handled) until `done` or the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::seconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.run_for(50ms);
      io_.restart();
    }
    return true;
  }

  peer::SwarmEvents recording_events() {
    peer::SwarmEvents events;
    events.piece_finished = [this](std::uint32_t p) { finished_pieces_.insert(p); };
    events.hash_failed = [this](std::uint32_t p) { failed_pieces_.insert(p); };
    events.finished = [this] { finished_ = true; };
    return events;
  }

  std::vector<char> origin_piece(std::uint32_t piece) {
    std::ifstream in(seed_dir_.path() / "update.bin", std::ios::binary);
    in.seekg(static_cast<std::streamoff>(piece) * kPiece);
    std::vector<char> data(leech_->piece_length(leech_id_, piece));
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    return data;
  }

  static constexpr std::uint64_t kSize = (8 << 20) + 4321;  // a short last piece
  static constexpr std::uint32_t kPiece = 256 << 10;
  TestDir seed_dir_, leech_dir_;
  std::string sha_;
  peer::Metainfo meta_;
  boost::asio::io_context io_;
  std::unique_ptr<peer::Session> seed_, leech_;
  peer::SwarmId leech_id_ = 0;
  bool finished_ = false;
  std::set<std::uint32_t> finished_pieces_, failed_pieces_;
};

TEST_F(SwarmTest, ADownloaderGetsTheWholeFileFromASeed) {
  auto seeding = seed_->add_swarm(meta_, seed_dir_.path(), "update.bin", true, {});
  ASSERT_TRUE(seeding);
  ASSERT_TRUE(run_until([&] { return seed_->listen_port() != 0; }));
  auto leeching =
      leech_->add_swarm(meta_, leech_dir_.path(), ".update.bin.part", false, recording_events());
  ASSERT_TRUE(leeching);
  leech_id_ = *leeching;
  leech_->connect_peer(leech_id_, "127.0.0.1", seed_->listen_port());
  ASSERT_TRUE(run_until([&] { return finished_; }));
  EXPECT_EQ(sha256_file(leech_dir_.path() / ".update.bin.part").value_or(""), sha_);
  // libtorrent's status (have-bits, counters) lags its finished alert a little: wait for it.
  EXPECT_TRUE(run_until(
      [&] {
        const auto stats = leech_->stats(leech_id_);
        return stats.complete && stats.pieces_have == meta_.pieces;
      },
      10s));
  EXPECT_GE(leech_->stats(leech_id_).from_peers, kSize);
  EXPECT_TRUE(run_until([&] { return seed_->stats(*seeding).uploaded >= kSize; }, 10s))
      << seed_->stats(*seeding).uploaded;
}

TEST_F(SwarmTest, OriginPiecesAndPeerPiecesMakeOneVerifiedFile) {
  auto seeding = seed_->add_swarm(meta_, seed_dir_.path(), "update.bin", true, {});
  ASSERT_TRUE(seeding);
  auto leeching =
      leech_->add_swarm(meta_, leech_dir_.path(), "out.part", false, recording_events());
  ASSERT_TRUE(leeching);
  leech_id_ = *leeching;
  // The first half comes from the origin before any peer is known.
  const std::uint32_t half = meta_.pieces / 2;
  for (std::uint32_t p = 0; p < half; ++p)
    ASSERT_TRUE(leech_->add_piece(leech_id_, p, origin_piece(p)));
  ASSERT_TRUE(run_until([&] { return finished_pieces_.size() == half; }));
  // piece_finished comes when the hash passed; have_piece follows once the piece is written.
  ASSERT_TRUE(run_until([&] {
    for (std::uint32_t p = 0; p < half; ++p) {
      if (!leech_->has_piece(leech_id_, p)) return false;
    }
    return true;
  }));
  ASSERT_TRUE(run_until([&] { return seed_->listen_port() != 0; }));
  leech_->connect_peer(leech_id_, "127.0.0.1", seed_->listen_port());
  ASSERT_TRUE(run_until([&] { return finished_; }));
  EXPECT_EQ(sha256_file(leech_dir_.path() / "out.part").value_or(""), sha_);
  const auto from_peers = leech_->stats(leech_id_).from_peers;
  EXPECT_GT(from_peers, 0u);
  EXPECT_LT(from_peers, kSize);  // the origin's half was not fetched again from the peer
}

// Right after add_swarm, while libtorrent still checks the file: the piece must wait for the
// check, not vanish (libtorrent drops it without an alert).
TEST_F(SwarmTest, BadOriginDataIsRejectedByTheHashes) {
  auto leeching =
      leech_->add_swarm(meta_, leech_dir_.path(), "out.part", false, recording_events());
  ASSERT_TRUE(leeching);
  leech_id_ = *leeching;
  auto bad = origin_piece(3);
  bad[1000] ^= 0x5a;
  ASSERT_TRUE(leech_->add_piece(leech_id_, 3, std::move(bad)));
  ASSERT_TRUE(run_until([&] { return failed_pieces_.contains(3); }));
  EXPECT_FALSE(leech_->has_piece(leech_id_, 3));
  // A later good copy of the same piece is accepted.
  ASSERT_TRUE(leech_->add_piece(leech_id_, 3, origin_piece(3)));
  ASSERT_TRUE(run_until([&] { return finished_pieces_.contains(3); }));
  EXPECT_TRUE(run_until([&] { return leech_->has_piece(leech_id_, 3); }));
}

// The metainfo with every v1 piece hash altered (still well-formed: another torrent).
std::vector<char> with_wrong_v1_hashes(std::vector<char> bytes) {
  const std::string key = "6:pieces";
  auto at = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
  if (at == bytes.end()) return {};
  auto digits = at + static_cast<std::ptrdiff_t>(key.size());
  auto colon = std::find(digits, bytes.end(), ':');
  const auto length = std::stoul(std::string(digits, colon));
  for (std::size_t hash = 0; hash < length; hash += 20) colon[1 + static_cast<long>(hash)] ^= 1;
  return bytes;
}

// libtorrent would hash every piece of a hybrid torrent with SHA-1 too, find it disagree with
// SHA-256, and pause the torrent (torrent_inconsistent_hashes). The session's disk layer lets
// the v2 hashes decide and does not compute the v1 ones: so this torrent completes.
TEST_F(SwarmTest, TheV2HashesDecideAndTheV1HashesAreNotComputed) {
  const auto bytes = with_wrong_v1_hashes(meta_.bytes);
  ASSERT_FALSE(bytes.empty());
  auto altered = peer::parse_metainfo(bytes, "altered");
  ASSERT_TRUE(altered) << altered.error().describe();
  meta_ = *altered;
  auto leeching =
      leech_->add_swarm(meta_, leech_dir_.path(), "out.part", false, recording_events());
  ASSERT_TRUE(leeching);
  leech_id_ = *leeching;
  for (std::uint32_t p = 0; p < meta_.pieces; ++p)
    ASSERT_TRUE(leech_->add_piece(leech_id_, p, origin_piece(p)));
  ASSERT_TRUE(run_until([&] { return finished_; }, 30s))
      << finished_pieces_.size() << " of " << meta_.pieces << " pieces passed";
  EXPECT_TRUE(failed_pieces_.empty());
  EXPECT_EQ(sha256_file(leech_dir_.path() / "out.part").value_or(""), sha_);
}

TEST_F(SwarmTest, APieceOfTheWrongLengthIsRefusedOutright) {
  auto leeching = leech_->add_swarm(meta_, leech_dir_.path(), "out.part", false, {});
  ASSERT_TRUE(leeching);
  auto refused = leech_->add_piece(*leeching, 0, std::vector<char>(1000));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("expected"), std::string::npos);
  EXPECT_EQ(leech_->piece_length(*leeching, meta_.pieces - 1), kSize % kPiece);
}

}  // namespace
}  // namespace swarmcopy::test
