#include "swarmcopy/peer/metainfo.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cctype>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>
#include <random>
#include <thread>
#include <vector>

#include "swarmcopy/util/sha256.h"
#include "swarmcopy/util/unique_fd.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::peer {
namespace {

namespace fs = std::filesystem;

class MetainfoTest : public ::testing::Test {
 protected:
  fs::path make_file(const std::string& name, std::size_t size) {
    std::mt19937 rng(7);
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  // Whether a real libtorrent session, checking `file` against `meta`, has every piece.
  bool libtorrent_has_every_piece(const Metainfo& meta) {
    lt::settings_pack settings;
    settings.set_str(lt::settings_pack::listen_interfaces, "");
    settings.set_bool(lt::settings_pack::enable_dht, false);
    settings.set_bool(lt::settings_pack::enable_lsd, false);
    settings.set_bool(lt::settings_pack::enable_upnp, false);
    settings.set_bool(lt::settings_pack::enable_natpmp, false);
    lt::session session(settings);
    lt::add_torrent_params params;
    params.ti =
        std::make_shared<lt::torrent_info>(meta.bytes.data(), static_cast<int>(meta.bytes.size()));
    params.save_path = dir_.path().string();
    auto handle = session.add_torrent(params);
    // Checking is quick for a few MiB; bounded by a deadline, woken by libtorrent's alerts.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      session.wait_for_alert(std::chrono::milliseconds(200));
      std::vector<lt::alert*> alerts;
      session.pop_alerts(&alerts);
      const auto status = handle.status();
      if (status.state != lt::torrent_status::checking_files &&
          status.state != lt::torrent_status::checking_resume_data) {
        return status.is_seeding && status.num_pieces == static_cast<int>(meta.pieces);
      }
    }
    return false;
  }

  test::TestDir dir_{"swarmcopy-meta-"};
};

TEST_F(MetainfoTest, PublishWritesAHybridMetainfoBesideTheFile) {
  const auto file = make_file("update.bin", 5 << 20);
  auto meta = publish(file, 1 << 20);
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_TRUE(fs::exists(dir_ / "update.bin.torrent"));
  EXPECT_FALSE(fs::exists(dir_ / "update.bin.torrent.tmp"));
  EXPECT_EQ(meta->name, "update.bin");
  EXPECT_EQ(meta->size, 5u << 20);
  EXPECT_EQ(meta->piece_size, 1u << 20);
  EXPECT_EQ(meta->pieces, 5u);
  EXPECT_EQ(meta->info_hash_v2.size(), 64u);  // v2: per-block Merkle verification
  EXPECT_EQ(meta->info_hash_v1.size(), 40u);  // and v1 for v1-only clients
  std::ifstream in(dir_ / "update.bin.torrent", std::ios::binary);
  const std::vector<char> written(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(written, meta->bytes);
}

TEST_F(MetainfoTest, ALibtorrentSessionVerifiesTheFileAgainstIt) {
  const auto file = make_file("data.bin", (3 << 20) + 12345);  // a short last piece
  auto meta = publish(file);
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_TRUE(libtorrent_has_every_piece(*meta));
}

TEST_F(MetainfoTest, AChangedFileNoLongerMatches) {
  const auto file = make_file("data.bin", 2 << 20);
  auto meta = publish(file, 1 << 20);
  ASSERT_TRUE(meta);
  {
    std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(100);
    f.put('\x42');
  }
  EXPECT_FALSE(libtorrent_has_every_piece(*meta));
}

TEST_F(MetainfoTest, ParseRoundTripsAndRejectsGarbage) {
  const auto file = make_file("x.bin", 100000);
  auto meta = publish(file);
  ASSERT_TRUE(meta);
  auto parsed = parse_metainfo(meta->bytes, "http://origin/x.bin.torrent");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->info_hash_v2, meta->info_hash_v2);
  EXPECT_EQ(parsed->size, 100000u);
  const std::string garbage = "<html>404 not found</html>";
  auto bad = parse_metainfo(std::span<const char>(garbage.data(), garbage.size()), "u");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("not understood"), std::string::npos);
}

std::vector<char> read_range(const fs::path& file, std::uint64_t offset, std::size_t size) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::vector<char> data(size);
  in.read(data.data(), static_cast<std::streamsize>(size));
  return data;
}

// One hash family: every check of ours compares the v2 piece layer (SHA-256 Merkle roots), as
// libtorrent's checks do through FileDisk; the metainfo's bytes (and their v1 hashes) play
// no part in it.
TEST_F(MetainfoTest, PiecesAreCheckedAgainstTheirV2Roots) {
  const auto file = make_file("data.bin", (3 << 20) + 12345);  // a short last piece
  auto published = publish(file, 1 << 20);
  ASSERT_TRUE(published) << published.error().describe();
  auto meta = *published;
  ASSERT_EQ(meta.pieces, 4u);
  EXPECT_EQ(meta.piece_roots.size(), 4u * 32);
  EXPECT_EQ(meta.leaves_per_piece, 64u);  // 1 MiB of 16 KiB blocks
  meta.bytes.clear();
  for (std::uint32_t piece = 0; piece < meta.pieces; ++piece) {
    const auto size = std::min<std::uint64_t>(meta.piece_size, meta.size - piece * 1048576ull);
    auto data = read_range(file, piece * 1048576ull, static_cast<std::size_t>(size));
    EXPECT_TRUE(piece_matches(meta, piece, data)) << "piece " << piece;
    data[data.size() / 2] ^= 1;
    EXPECT_FALSE(piece_matches(meta, piece, data)) << "piece " << piece;
  }
  auto first = read_range(file, 0, 1 << 20);
  EXPECT_FALSE(piece_matches(meta, 4, first));  // past the end
  first.pop_back();
  EXPECT_FALSE(piece_matches(meta, 0, first));  // short
  auto other = meta;
  other.piece_roots[5] ^= 1;
  EXPECT_FALSE(piece_matches(other, 0, read_range(file, 0, 1 << 20)));
  EXPECT_TRUE(verify_file(meta, file));
  {
    std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp((3 << 20) + 100);
    f.put('\x42');
  }
  EXPECT_FALSE(verify_file(meta, file));
}

// A file of one piece or less has no piece layer in the metainfo: its root over its blocks
// padded to a power of two stands for it.
TEST_F(MetainfoTest, AOnePieceFileIsCheckedAgainstTheFilesRoot) {
  const auto file = make_file("small.bin", 100000);
  auto meta = publish(file, 128 * 1024);
  ASSERT_TRUE(meta) << meta.error().describe();
  ASSERT_EQ(meta->pieces, 1u);
  EXPECT_EQ(meta->leaves_per_piece, 8u);  // 7 blocks
  auto data = read_range(file, 0, 100000);
  EXPECT_TRUE(piece_matches(*meta, 0, data));
  data[99999] ^= 1;
  EXPECT_FALSE(piece_matches(*meta, 0, data));
  EXPECT_TRUE(verify_file(*meta, file));
}

// Content nobody published: every machine that holds the same verified bytes makes the same
// metainfo (same info-hash), named by the SHA-256, with nothing of the machine or the time in
// it, and libtorrent checks the content against it.
TEST_F(MetainfoTest, SiteMetainfoIsTheSameOnEveryMachineForTheSameBytes) {
  const std::uint64_t size = (3 << 20) + 777;
  const auto here = make_file("here.bin", size);
  const auto there = dir_ / "elsewhere" / "other-name.iso";
  fs::create_directories(there.parent_path());
  fs::copy_file(here, there);
  util::UniqueFd here_fd(::open(here.c_str(), O_RDONLY | O_CLOEXEC));
  util::UniqueFd there_fd(::open(there.c_str(), O_RDONLY | O_CLOEXEC));
  const auto sha = util::sha256_of_fd(here_fd.get(), here.string()).value_or("");
  ASSERT_EQ(sha.size(), 64u);

  auto made_here = make_site_metainfo(here_fd.get(), size, sha);
  auto made_there = make_site_metainfo(there_fd.get(), size, sha);
  ASSERT_TRUE(made_here) << made_here.error().describe();
  ASSERT_TRUE(made_there) << made_there.error().describe();
  EXPECT_EQ(made_here->bytes, made_there->bytes);
  EXPECT_EQ(made_here->info_hash_v2, made_there->info_hash_v2);
  EXPECT_EQ(made_here->name, sha);
  EXPECT_EQ(made_here->piece_size, site_piece_size(size));
  const std::string text(made_here->bytes.begin(), made_here->bytes.end());
  EXPECT_EQ(text.find("creation date"), std::string::npos);
  EXPECT_EQ(text.find("created by"), std::string::npos);

  // Other bytes, another identity.
  const auto different = make_file("different.bin", size + 1);
  util::UniqueFd different_fd(::open(different.c_str(), O_RDONLY | O_CLOEXEC));
  auto other =
      make_site_metainfo(different_fd.get(), size + 1,
                         util::sha256_of_fd(different_fd.get(), different.string()).value_or(""));
  ASSERT_TRUE(other);
  EXPECT_NE(other->info_hash_v2, made_here->info_hash_v2);

  // libtorrent finds the content (saved under its name, the SHA-256) whole against it.
  fs::rename(here, dir_ / sha);
  EXPECT_TRUE(libtorrent_has_every_piece(*made_here));
}

TEST_F(MetainfoTest, SitePieceSizeFollowsFromTheSizeAlone) {
  EXPECT_EQ(site_piece_size(1), 16u << 10);
  EXPECT_EQ(site_piece_size(32u << 20), 16u << 10);  // 2048 pieces
  EXPECT_EQ(site_piece_size((32u << 20) + 1), 32u << 10);
  EXPECT_EQ(site_piece_size(256u << 20), 128u << 10);
  EXPECT_EQ(site_piece_size(4ull << 30), 2u << 20);
  EXPECT_EQ(site_piece_size(1ull << 40), 16u << 20);  // at most 16 MiB
}

TEST_F(MetainfoTest, SiteMetainfoRefusesABadHashOrTooFewBytes) {
  const auto file = make_file("f.bin", 100000);
  util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  const auto sha = util::sha256_of_fd(fd.get(), file.string()).value_or("");
  EXPECT_FALSE(make_site_metainfo(fd.get(), 100000, "ABC"));
  std::string upper = sha;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(make_site_metainfo(fd.get(), 100000, upper)) << "one spelling: lower-case";
  EXPECT_FALSE(make_site_metainfo(fd.get(), 100001, sha)) << "the file is shorter";
  EXPECT_FALSE(make_site_metainfo(fd.get(), 0, sha));
}

TEST_F(MetainfoTest, RejectsABadPieceSize) {
  const auto file = make_file("x.bin", 1000);
  EXPECT_FALSE(publish(file, 1000));
  EXPECT_FALSE(publish(file, 8192));
  EXPECT_FALSE(publish(dir_ / "missing.bin"));
}

}  // namespace
}  // namespace swarmcopy::peer
