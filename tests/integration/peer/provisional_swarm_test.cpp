// The provisional swarm of content nobody published and nobody holds whole yet: real libtorrent
// sessions on loopback join the swarm every machine derives from the SHA-256 and the size alone,
// and check each piece against the Merkle root that the machine which fetched it from the origin
// announced. What is tested: a piece's bytes may arrive before its root (the check waits); a
// machine passes on the roots of the pieces it verified (a third machine gets everything from
// the second alone); a machine's own root wins over a peer's and the difference is reported; a
// distrusted peer's roots are forgotten and its connection closed; bytes that disagree with the
// root fail their check and their only sender is banned.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

// 3 MiB and a bit: 16 KiB pieces by the site rule, 193 of them, the last one short.
constexpr std::uint64_t kSize = (3 << 20) + 4321;

struct Machine {
  std::unique_ptr<peer::Session> session;
  peer::SwarmId swarm = 0;
  std::set<std::uint32_t> failed;
  std::vector<peer::RootConflict> conflicts;
};

class ProvisionalSwarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sha = write_test_file(origin_.path() / "content.bin", kSize);
    ASSERT_TRUE(sha);
    auto meta = peer::make_provisional_metainfo(*sha, kSize);
    ASSERT_TRUE(meta) << meta.error().describe();
    meta_ = *meta;
    ASSERT_EQ(meta_.pieces, 193u);
    std::ifstream in(origin_.path() / "content.bin", std::ios::binary);
    content_.assign(std::istreambuf_iterator<char>(in), {});
    ASSERT_EQ(content_.size(), kSize);
  }

  std::unique_ptr<Machine> join(const TestDir& dir) {
    auto machine = std::make_unique<Machine>();
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    auto session = peer::Session::open(io_, options);
    EXPECT_TRUE(session) << session.error().describe();
    if (!session) return nullptr;
    machine->session = std::move(*session);
    peer::SwarmEvents events;
    auto* raw = machine.get();
    events.hash_failed = [raw](std::uint32_t piece) { raw->failed.insert(piece); };
    events.root_conflict = [raw](peer::RootConflict c) { raw->conflicts.push_back(std::move(c)); };
    auto swarm =
        machine->session->add_swarm(meta_, dir.path(), "item", false, std::move(events), true);
    EXPECT_TRUE(swarm) << swarm.error().describe();
    if (!swarm) return nullptr;
    machine->swarm = *swarm;
    return machine;
  }

  std::vector<char> piece_of(const std::vector<char>& bytes, std::uint32_t piece) const {
    const auto begin = std::uint64_t{piece} * meta_.piece_size;
    const auto end = std::min<std::uint64_t>(begin + meta_.piece_size, bytes.size());
    return {bytes.begin() + static_cast<std::ptrdiff_t>(begin),
            bytes.begin() + static_cast<std::ptrdiff_t>(end)};
  }

  // What a machine that fetched `pieces` of `bytes` from an origin does: its own root, then the
  // bytes.
  void fetch(Machine& machine, const std::vector<char>& bytes, std::uint32_t first,
             std::uint32_t end) {
    for (auto piece = first; piece < end; ++piece) {
      auto data = piece_of(bytes, piece);
      machine.session->learn_piece_root(machine.swarm, piece, peer::piece_root(meta_, piece, data));
      ASSERT_TRUE(machine.session->add_piece(machine.swarm, piece, std::move(data)));
    }
  }

  void connect(Machine& from, const Machine& to) {
    from.session->connect_peer(from.swarm, "127.0.0.1", to.session->listen_port());
  }

  bool complete(const Machine& machine) const {
    const auto stats = machine.session->stats(machine.swarm);
    return stats.pieces_have == stats.pieces_total;
  }

  bool run_until(const std::function<bool()>& done, std::chrono::seconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.run_for(20ms);
      io_.restart();
    }
    return true;
  }

  std::vector<char> file_of(const TestDir& dir) const {
    std::ifstream in(dir.path() / "item", std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
  }

  TestDir origin_, dir_a_, dir_b_, dir_c_;
  peer::Metainfo meta_;
  std::vector<char> content_;
  boost::asio::io_context io_;
};

TEST(ProvisionalMetainfo, EveryMachineDerivesTheSameOneFromTheSha256AndTheSize) {
  const std::string sha(64, 'a');
  auto one = peer::make_provisional_metainfo(sha, 300 << 20);
  auto two = peer::make_provisional_metainfo(sha, 300 << 20);
  auto other_size = peer::make_provisional_metainfo(sha, (300 << 20) + 1);
  auto other_sha = peer::make_provisional_metainfo(std::string(64, 'b'), 300 << 20);
  ASSERT_TRUE(one && two && other_size && other_sha);
  EXPECT_TRUE(one->provisional);
  EXPECT_EQ(one->bytes, two->bytes);
  EXPECT_EQ(one->info_hash_v1, two->info_hash_v1);
  EXPECT_EQ(one->info_hash_v2, two->info_hash_v2);
  EXPECT_NE(one->info_hash_v1, other_size->info_hash_v1);
  EXPECT_NE(one->info_hash_v1, other_sha->info_hash_v1);
  EXPECT_EQ(one->piece_size, peer::site_piece_size(300 << 20));
  EXPECT_EQ(one->pieces, (300u << 20) / one->piece_size);
  EXPECT_TRUE(one->piece_roots.empty());
  EXPECT_FALSE(peer::make_provisional_metainfo("not a sha256", 10));
  EXPECT_FALSE(peer::make_provisional_metainfo(sha, 0));
  // Never anything parse_metainfo takes for an origin's metainfo (no v2 part).
  EXPECT_FALSE(peer::parse_metainfo(one->bytes, "test"));
}

// The fetcher gets the origin's pieces one after another while the other machine is already
// connected: pieces are asked for as they appear, their roots arriving with them.
TEST_F(ProvisionalSwarmTest, AMachineTakesEveryPieceAsTheFetcherGetsItFromTheOrigin) {
  auto fetcher = join(dir_a_);
  auto other = join(dir_b_);
  ASSERT_TRUE(fetcher && other);
  connect(*other, *fetcher);
  ASSERT_TRUE(run_until([&] { return other->session->stats(other->swarm).peers_connected > 0; }));
  for (std::uint32_t first = 0; first < meta_.pieces; first += 16) {
    fetch(*fetcher, content_, first, std::min(first + 16, meta_.pieces));
    io_.run_for(30ms);
    io_.restart();
  }
  ASSERT_TRUE(run_until([&] { return complete(*other); }));
  EXPECT_EQ(file_of(dir_b_), content_);
  EXPECT_TRUE(other->failed.empty());
  EXPECT_TRUE(other->conflicts.empty());
  EXPECT_EQ(other->session->stats(other->swarm).from_peers, kSize);
}

// The second machine vouches for what it verified: a third one that reaches only it gets every
// piece and every root from it.
TEST_F(ProvisionalSwarmTest, AMachinePassesOnTheRootsOfThePiecesItVerified) {
  auto fetcher = join(dir_a_);
  auto second = join(dir_b_);
  ASSERT_TRUE(fetcher && second);
  fetch(*fetcher, content_, 0, meta_.pieces);
  ASSERT_TRUE(run_until([&] { return complete(*fetcher); }));
  connect(*second, *fetcher);
  ASSERT_TRUE(run_until([&] { return complete(*second); }));
  fetcher.reset();  // its session closes: only the second machine is left

  auto third = join(dir_c_);
  ASSERT_TRUE(third);
  connect(*third, *second);
  ASSERT_TRUE(run_until([&] { return complete(*third); }));
  EXPECT_EQ(file_of(dir_c_), content_);
  EXPECT_TRUE(third->failed.empty());
}

// A liar that holds other bytes, consistent with the roots it announces: everything it sends
// passes against its roots (only the origin's bytes or the whole file's SHA-256 can tell). This
// machine's own root for a piece, from the origin, wins and the difference is reported; the
// liar distrusted, its roots are forgotten and its connection closed.
TEST_F(ProvisionalSwarmTest, ThisMachinesOwnRootRefutesALiarWhichIsThenDistrusted) {
  auto other_bytes = content_;
  std::reverse(other_bytes.begin(), other_bytes.end());
  auto liar = join(dir_a_);
  auto machine = join(dir_b_);
  ASSERT_TRUE(liar && machine);
  fetch(*liar, other_bytes, 0, meta_.pieces);
  ASSERT_TRUE(run_until([&] { return complete(*liar); }));
  connect(*machine, *liar);
  ASSERT_TRUE(run_until([&] { return complete(*machine); }));
  EXPECT_EQ(file_of(dir_b_), other_bytes);  // what only the SHA-256 can refute

  // The origin's piece 7, fetched by this machine itself.
  machine->session->learn_piece_root(machine->swarm, 7,
                                     peer::piece_root(meta_, 7, piece_of(content_, 7)));
  ASSERT_TRUE(run_until([&] { return !machine->conflicts.empty(); }, 10s));
  ASSERT_EQ(machine->conflicts.size(), 1u);
  EXPECT_EQ(machine->conflicts[0].piece, 7u);
  EXPECT_EQ(machine->conflicts[0].kept_from, "");
  EXPECT_EQ(machine->conflicts[0].other_from, liar->session->peer_id());

  const auto forgotten = machine->session->distrust(machine->swarm, liar->session->peer_id());
  // Every root but piece 7's came from the liar.
  EXPECT_EQ(forgotten.size(), meta_.pieces - 1);
  EXPECT_EQ(std::count(forgotten.begin(), forgotten.end(), 7u), 0);
  ASSERT_TRUE(
      run_until([&] { return machine->session->stats(machine->swarm).peers_connected == 0; }, 10s));
  // Dialled again, it is not kept.
  connect(*machine, *liar);
  const auto until = std::chrono::steady_clock::now() + 2500ms;
  int most = 0;
  run_until([&] {
    // A connection may open for a moment: its extension handshake closes it.
    most = std::max(most, machine->session->stats(machine->swarm).peers_connected);
    return std::chrono::steady_clock::now() > until;
  });
  EXPECT_EQ(machine->session->stats(machine->swarm).peers_connected, 0);
  EXPECT_EQ(machine->session->stats(machine->swarm).pieces_have, meta_.pieces);  // not reloaded
}

// This machine knows every root from the origin already; a peer holding other bytes sends its
// own roots (reported, not taken) and its bytes, which fail their check: as their only source it
// is banned, and no piece of its is kept.
TEST_F(ProvisionalSwarmTest, BytesThatDisagreeWithTheRootFailAndTheirSenderIsBanned) {
  auto other_bytes = content_;
  std::reverse(other_bytes.begin(), other_bytes.end());
  auto liar = join(dir_a_);
  auto machine = join(dir_b_);
  ASSERT_TRUE(liar && machine);
  fetch(*liar, other_bytes, 0, meta_.pieces);
  ASSERT_TRUE(run_until([&] { return complete(*liar); }));
  for (std::uint32_t piece = 0; piece < meta_.pieces; ++piece) {
    machine->session->learn_piece_root(machine->swarm, piece,
                                       peer::piece_root(meta_, piece, piece_of(content_, piece)));
  }
  connect(*machine, *liar);
  ASSERT_TRUE(run_until([&] {
    return !machine->session->stats(machine->swarm).banned.empty() && !machine->failed.empty();
  }));
  EXPECT_EQ(machine->session->stats(machine->swarm).pieces_have, 0u);
  ASSERT_FALSE(machine->conflicts.empty());
  EXPECT_EQ(machine->conflicts[0].kept_from, "");
  EXPECT_EQ(machine->conflicts[0].other_from, liar->session->peer_id());
}

}  // namespace
}  // namespace swarmcopy::test
