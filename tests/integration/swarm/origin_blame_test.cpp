// Blame stays with whoever sent the bad bytes. The origin serves bytes its own metadata rejects
// (a mirror half-updated, a disk gone bad) while an honest, slow peer has the file: the
// download stalls on the peer, the origin takes the missing pieces, its bad pieces fail our
// check before libtorrent sees them, and the peer — never blamed for them — serves them.
#include <signal.h>

#include <fstream>

#include "nginx/test_files.h"
#include "swarm_fixture.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kSize = 16ull << 20;  // 64 pieces
constexpr std::uint32_t kFirstBad = 40;
constexpr std::uint32_t kBadPieces = 4;

class OriginBlameTest : public SwarmFixture {
 protected:
  void SetUp() override {
    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
  }

  // Flips one byte in each of the bad pieces of the origin's copy (same size; a new ETag).
  void corrupt_origin_pieces() {
    std::fstream file(docroot_.path() / "update.bin",
                      std::ios::binary | std::ios::in | std::ios::out);
    for (std::uint32_t piece = kFirstBad; piece < kFirstBad + kBadPieces; ++piece) {
      const auto at = static_cast<std::streamoff>(std::uint64_t{piece} * kPiece + 1000);
      char byte = 0;
      file.seekg(at);
      file.read(&byte, 1);
      byte = static_cast<char>(byte ^ 0x5a);
      file.seekp(at);
      file.write(&byte, 1);
    }
    ASSERT_TRUE(file.good());
  }

  std::string sha_;
  std::string url_;
};

TEST_F(OriginBlameTest, BadOriginPiecesAreNotBlamedOnThePeerThatHasThemAndItServesThem) {
  const auto port = free_loopback_port();
  // 128 KiB/s: a piece every 2 s, so the downloader stalls and the origin takes over.
  auto seeder = start_seeder(url_, port, {"--upload-limit", "128K"});
  ASSERT_TRUE(seeder);
  corrupt_origin_pieces();
  const auto origin_before = nginx_->body_bytes_sent("/update.bin");

  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(port), "--priority", "foreground"}));
  ASSERT_EQ(json["state"], "ACKNOWLEDGED") << json.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  // The origin was used, and it sent at least one bad piece that was thrown away.
  const auto from_origin = json["from_origin"].get<std::uint64_t>();
  EXPECT_GT(from_origin, 0u) << json.dump();
  EXPECT_GE(nginx_->body_bytes_sent("/update.bin") - origin_before, from_origin + kPiece)
      << "no bad origin piece was fetched: the test did not test anything";
  // Only the peer had the bad pieces right: it was not banned, and it gave them.
  EXPECT_GE(json["from_peers"].get<std::uint64_t>(), std::uint64_t{kBadPieces} * kPiece)
      << json.dump();
  ASSERT_EQ(json["peers"].size(), 1u) << json.dump();
  EXPECT_GE(json["peers"][0]["bytes_down"].get<std::uint64_t>(),
            std::uint64_t{kBadPieces} * kPiece);
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

}  // namespace
}  // namespace swarmcopy::test
