// A real libtorrent session against a malicious peer (BadPeer) on loopback: whatever garbage
// it sends is rejected by the hashes, it is banned, and the origin's data (add_piece) still
// makes the whole, correct file. A peer that corrupts only some pieces loses exactly those.
//
// What libtorrent 2.0.8 does here (hybrid torrent, the peer joins as a v1 peer): a piece that
// fails its hash and came from one peer alone gets that peer banned at once (one failure is
// enough) and disconnected; pieces it delivered before are still verified on their own merits.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <vector>

#include "bad_peer/bad_peer.h"
#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
using Pieces = std::set<std::uint32_t>;

bool contains_all(const Pieces& outer, const Pieces& inner) {
  return std::ranges::includes(outer, inner);
}

Pieces common(const Pieces& a, const Pieces& b) {
  Pieces both;
  std::ranges::set_intersection(a, b, std::inserter(both, both.end()));
  return both;
}

class BadPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sha = write_test_file(origin_dir_.path() / "update.bin", kSize);
    ASSERT_TRUE(sha);
    sha_ = *sha;
    auto meta = peer::publish(origin_dir_.path() / "update.bin", kPiece);
    ASSERT_TRUE(meta) << meta.error().describe();
    meta_ = *meta;
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    auto session = peer::Session::open(io_, options);
    ASSERT_TRUE(session);
    session_ = std::move(*session);
    peer::SwarmEvents events;
    events.piece_finished = [this](std::uint32_t p) { finished_log_.push_back(p); };
    events.hash_failed = [this](std::uint32_t p) { failed_log_.push_back(p); };
    events.finished = [this] { finished_ = true; };
    auto id = session_->add_swarm(meta_, swarm_dir_.path(), "update.bin.part", false, events);
    ASSERT_TRUE(id) << id.error().describe();
    id_ = *id;
  }

  BadPeerOptions bad_peer_options() const {
    BadPeerOptions options;
    options.info_hash_v1 = meta_.info_hash_v1;
    options.size = meta_.size;
    options.piece_size = meta_.piece_size;
    options.pieces = meta_.pieces;
    return options;
  }

  // Runs the io_context (where alerts are handled) until `done` or the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.run_for(20ms);
      io_.restart();
    }
    return true;
  }

  Pieces finished_pieces() const { return {finished_log_.begin(), finished_log_.end()}; }
  Pieces failed_pieces() const { return {failed_log_.begin(), failed_log_.end()}; }

  // The session dials the bad peer and waits for the verdict: a piece failed its hash, and the
  // session hung up on the peer (its ban).
  void connect_and_wait_for_the_ban(const BadPeer& bad) {
    session_->connect_peer(id_, "127.0.0.1", bad.port());
    ASSERT_TRUE(run_until([&] {
      const auto stats = bad.stats();
      return !failed_log_.empty() && stats.remote_closes > 0 && stats.open_connections == 0;
    }));
  }

  bool connected_to(const BadPeer& bad) const {
    const std::string address = "127.0.0.1:" + std::to_string(bad.port());
    const auto peers = session_->stats(id_).peers;
    return std::ranges::any_of(peers, [&](const auto& p) { return p.address == address; });
  }

  // Asks the session to dial the banned peer again. There is no event for "not connecting", so
  // this watches for a connection over a window well past libtorrent's reconnect delay (the
  // session sets min_reconnect_time to 2 s).
  bool redial_is_refused(const BadPeer& bad) {
    const auto accepted = bad.stats().connections_accepted;
    session_->connect_peer(id_, "127.0.0.1", bad.port());
    return !run_until([&] { return bad.stats().connections_accepted > accepted; }, 5s);
  }

  std::vector<char> origin_piece(std::uint32_t piece) {
    std::ifstream in(origin_dir_.path() / "update.bin", std::ios::binary);
    in.seekg(static_cast<std::streamoff>(piece) * kPiece);
    std::vector<char> data(session_->piece_length(id_, piece));
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    return data;
  }

  // The origin fills in every piece the swarm lacks, as the engine will after a ban. A round
  // can lose a piece: add_piece keeps blocks a peer already sent, so a piece the banned peer
  // sent part of is hashed with its garbage and fails (that failure clears it); and a piece the
  // peer sent whole may still be in the hasher, failing after our data was ignored. The next
  // round's copy then passes.
  void complete_from_origin() {
    for (int round = 0; round < 3; ++round) {
      const std::size_t failures_before = failed_log_.size();
      std::vector<std::uint32_t> fed;
      for (std::uint32_t p = 0; p < meta_.pieces; ++p) {
        if (session_->has_piece(id_, p)) continue;
        ASSERT_TRUE(session_->add_piece(id_, p, origin_piece(p)));
        fed.push_back(p);
      }
      if (fed.empty()) break;
      run_until(
          [&] {
            const Pieces failed_now(failed_log_.begin() + failures_before, failed_log_.end());
            return std::ranges::all_of(fed, [&](std::uint32_t p) {
              return session_->has_piece(id_, p) || failed_now.contains(p);
            });
          },
          20s);
    }
    ASSERT_TRUE(run_until([&] { return finished_; }, 20s));
  }

  static constexpr std::uint64_t kSize = (8 << 20) + 4321;  // a short last piece
  static constexpr std::uint32_t kPiece = 256 << 10;
  TestDir origin_dir_, swarm_dir_;
  std::string sha_;
  peer::Metainfo meta_;
  boost::asio::io_context io_;
  std::unique_ptr<peer::Session> session_;
  peer::SwarmId id_ = 0;
  bool finished_ = false;
  std::vector<std::uint32_t> finished_log_, failed_log_;  // every event, in order
};

TEST_F(BadPeerTest, AGarbagePeerIsRejectedBannedNotRedialedAndTheOriginCompletesTheFile) {
  BadPeer bad(bad_peer_options());
  connect_and_wait_for_the_ban(bad);
  const auto stats = bad.stats();
  ASSERT_GE(stats.handshakes, 1u);
  ASSERT_FALSE(stats.pieces_delivered.empty());
  EXPECT_EQ(stats.garbage_blocks_sent, stats.blocks_sent);
  // Nothing it sent was accepted; everything rejected is something it sent.
  EXPECT_TRUE(finished_log_.empty());
  EXPECT_EQ(session_->stats(id_).pieces_have, 0u);
  const Pieces delivered(stats.pieces_delivered.begin(), stats.pieces_delivered.end());
  EXPECT_TRUE(contains_all(delivered, failed_pieces()));
  // TCP is in order: the session read the first piece delivered before it could reject any
  // piece and hang up, so that piece was judged, and rejected.
  EXPECT_TRUE(run_until([&] { return failed_pieces().contains(stats.pieces_delivered[0]); }));
  // Banned: disconnected (and counted, for swarmcopy_peers_banned_total), and not dialed again
  // when asked.
  EXPECT_FALSE(connected_to(bad));
  EXPECT_TRUE(run_until([&] { return session_->peers_banned() == 1; }, 5s))
      << session_->peers_banned();
  EXPECT_TRUE(redial_is_refused(bad));
  EXPECT_EQ(bad.stats().connections_accepted, stats.connections_accepted);

  complete_from_origin();
  EXPECT_EQ(sha256_file(swarm_dir_.path() / "update.bin.part").value_or(""), sha_);
  EXPECT_EQ(finished_pieces().size(), meta_.pieces);
  EXPECT_TRUE(session_->stats(id_).complete);
}

TEST_F(BadPeerTest, APeerThatCorruptsSomePiecesLosesExactlyThose) {
  auto options = bad_peer_options();
  options.mode = BadPeerOptions::Mode::kGarbageForSomePieces;
  options.source_file = origin_dir_.path() / "update.bin";
  for (std::uint32_t p = 1; p < meta_.pieces; p += 2) options.corrupt_pieces.insert(p);
  // libtorrent picks pieces at random and bans at the first bad one: four true pieces first,
  // then garbage for the odd pieces (one in flight at the switch becomes a mix of both).
  options.true_pieces_first = 4;
  BadPeer bad(options);
  connect_and_wait_for_the_ban(bad);

  const auto stats = bad.stats();
  const Pieces& corrupted = stats.garbage_pieces_delivered;
  ASSERT_FALSE(corrupted.empty());
  // Every true piece delivered before the first corrupted one is accepted: TCP is in order, so
  // the session read each of them before it could reject a piece and hang up.
  const auto first_corrupted = std::ranges::find_if(
      stats.pieces_delivered, [&](std::uint32_t p) { return corrupted.contains(p); });
  const Pieces true_before(stats.pieces_delivered.begin(), first_corrupted);
  EXPECT_GE(true_before.size(), options.true_pieces_first);
  EXPECT_TRUE(run_until([&] { return contains_all(finished_pieces(), true_before); }));
  // Only corrupted pieces fail; none of them is accepted; nothing it did not deliver is either
  // (true pieces delivered after the first corrupted one may or may not have been read).
  Pieces true_pieces(stats.pieces_delivered.begin(), stats.pieces_delivered.end());
  for (std::uint32_t p : corrupted) true_pieces.erase(p);
  EXPECT_TRUE(contains_all(corrupted, failed_pieces()));
  EXPECT_TRUE(common(corrupted, finished_pieces()).empty());
  EXPECT_TRUE(contains_all(true_pieces, finished_pieces()));
  EXPECT_FALSE(connected_to(bad));
  EXPECT_TRUE(redial_is_refused(bad));

  complete_from_origin();
  EXPECT_EQ(sha256_file(swarm_dir_.path() / "update.bin.part").value_or(""), sha_);
  EXPECT_EQ(finished_pieces().size(), meta_.pieces);
}

// libtorrent keeps a ban per IP:port when several connections per IP are allowed (the session
// allows them), so a banned peer that dials in from a fresh port is heard again (2.0.8 does,
// and bans it again at its first bad piece). Whatever the door, its garbage must land nothing.
TEST_F(BadPeerTest, ABannedPeerDialingBackInLandsNothing) {
  BadPeer bad(bad_peer_options());
  connect_and_wait_for_the_ban(bad);
  const auto before = bad.stats();
  bad.dial("127.0.0.1", session_->listen_port());
  ASSERT_TRUE(run_until([&] {
    const auto stats = bad.stats();
    return stats.connections_dialed + stats.dial_failures == 1 &&
           stats.remote_closes > before.remote_closes && stats.open_connections == 0;
  }));
  const auto after = bad.stats();
  EXPECT_EQ(after.connections_dialed, 1u);
  EXPECT_TRUE(finished_log_.empty());
  const Pieces delivered(after.pieces_delivered.begin(), after.pieces_delivered.end());
  EXPECT_TRUE(contains_all(delivered, failed_pieces()));
  EXPECT_EQ(session_->stats(id_).peers_connected, 0);
  EXPECT_TRUE(run_until([&] { return session_->peers_banned() == 2; }, 5s))
      << "banned once per connection that sent garbage: " << session_->peers_banned();

  complete_from_origin();
  EXPECT_EQ(sha256_file(swarm_dir_.path() / "update.bin.part").value_or(""), sha_);
  EXPECT_EQ(finished_pieces().size(), meta_.pieces);
}

}  // namespace
}  // namespace swarmcopy::test
