#include "piece_hashes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <libtorrent/hasher.hpp>
#include <random>

#include "swarmcopy/peer/metainfo.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::peer {
namespace {

constexpr std::size_t kBlock = 16 * 1024;
constexpr std::uint32_t kPiece = 64 * 1024;  // four blocks

class PieceHashesTest : public ::testing::Test {
 protected:
  // A random file of `size` bytes, published with 64 KiB pieces; its bytes and torrent_info.
  std::shared_ptr<lt::torrent_info> publish_file(std::size_t size) {
    std::mt19937 rng(static_cast<unsigned>(size));
    data_.assign(size, '\0');
    for (auto& c : data_) c = static_cast<char>(rng());
    const auto path = dir_.path() / "file.bin";
    std::ofstream(path, std::ios::binary) << data_;
    auto meta = publish(path, kPiece);
    EXPECT_TRUE(meta.has_value());
    if (!meta) return nullptr;
    return std::make_shared<lt::torrent_info>(meta->bytes.data(),
                                              static_cast<int>(meta->bytes.size()));
  }

  // The SHA-256 of each 16 KiB block of `piece` in data_ (the last one may be short).
  std::vector<lt::sha256_hash> block_hashes(int piece) const {
    std::vector<lt::sha256_hash> hashes;
    const std::size_t begin = std::size_t(piece) * kPiece;
    const std::size_t end = std::min(data_.size(), begin + kPiece);
    for (std::size_t at = begin; at < end; at += kBlock) {
      const auto length = std::min(kBlock, end - at);
      hashes.push_back(lt::hasher256(data_.data() + at, static_cast<int>(length)).final());
    }
    return hashes;
  }

  // Every piece's root, folded from its block hashes, against the published piece layer.
  void expect_every_piece_matches(const lt::torrent_info& info) {
    auto hashes = PieceHashes::of(info);
    ASSERT_TRUE(hashes.has_value());
    ASSERT_EQ(hashes->layer.size(), std::size_t(info.num_pieces()));
    for (int piece = 0; piece < info.num_pieces(); ++piece) {
      SCOPED_TRACE("piece " + std::to_string(piece));
      EXPECT_EQ(merkle_root(block_hashes(piece), hashes->leaves_per_piece),
                hashes->layer[std::size_t(piece)]);
      EXPECT_EQ(hashes->v1[std::size_t(piece)], info.hash_for_piece(lt::piece_index_t{piece}));
    }
  }

  test::TestDir dir_;
  std::string data_;
};

TEST_F(PieceHashesTest, PieceRootsMatchThePieceLayerIncludingAShortLastPiece) {
  auto info = publish_file(3 * kPiece + 20000);  // the last piece: two blocks, one short
  ASSERT_TRUE(info);
  ASSERT_EQ(info->num_pieces(), 4);
  expect_every_piece_matches(*info);
}

TEST_F(PieceHashesTest, AFileOfOnePieceIsCheckedAgainstItsRoot) {
  auto info = publish_file(40000);  // three blocks: a tree of four leaves, no piece layer
  ASSERT_TRUE(info);
  ASSERT_EQ(info->num_pieces(), 1);
  expect_every_piece_matches(*info);
  auto hashes = PieceHashes::of(*info);
  ASSERT_TRUE(hashes);
  EXPECT_EQ(hashes->leaves_per_piece, 4);
  EXPECT_EQ(hashes->layer[0], info->files().root(lt::file_index_t{0}));
}

TEST_F(PieceHashesTest, OneChangedByteChangesThePieceRoot) {
  auto info = publish_file(2 * kPiece);
  ASSERT_TRUE(info);
  auto hashes = PieceHashes::of(*info);
  ASSERT_TRUE(hashes);
  data_[kPiece + 3 * kBlock + 100] ^= 1;  // the last block of piece 1
  EXPECT_EQ(merkle_root(block_hashes(0), hashes->leaves_per_piece), hashes->layer[0]);
  EXPECT_NE(merkle_root(block_hashes(1), hashes->leaves_per_piece), hashes->layer[1]);
}

TEST_F(PieceHashesTest, TheRegistryForgetsATorrentNobodyHolds) {
  auto info = publish_file(2 * kPiece);
  ASSERT_TRUE(info);
  PieceHashRegistry registry;
  const auto best = info->info_hashes().get_best();
  auto held = registry.expect(*info);
  ASSERT_TRUE(held);
  EXPECT_EQ(registry.find(best), held);
  held.reset();
  EXPECT_EQ(registry.find(best), nullptr);
}

}  // namespace
}  // namespace swarmcopy::peer
