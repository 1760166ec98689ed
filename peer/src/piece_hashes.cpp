#include "piece_hashes.h"

#include <bit>
#include <libtorrent/hasher.hpp>

namespace swarmcopy::peer {
namespace {

constexpr int kBlockSize = 16 * 1024;

}  // namespace

std::optional<PieceHashes> PieceHashes::of(const lt::torrent_info& info) {
  const auto& files = info.files();
  if (!info.info_hashes().has_v1() || !info.info_hashes().has_v2() || files.num_files() != 1)
    return std::nullopt;
  const lt::file_index_t file{0};
  const auto layer = info.piece_layer(file);
  const int pieces = info.num_pieces();
  if (pieces <= 0 || std::size_t(layer.size()) != std::size_t(pieces) * lt::sha256_hash::size())
    return std::nullopt;
  PieceHashes hashes;
  for (int piece = 0; piece < pieces; ++piece) {
    hashes.v1.push_back(info.hash_for_piece(lt::piece_index_t{piece}));
    hashes.layer.emplace_back(layer.data() + std::size_t(piece) * lt::sha256_hash::size());
  }
  hashes.leaves_per_piece =
      peer::leaves_per_piece(static_cast<std::uint64_t>(files.file_size(file)),
                             static_cast<std::uint32_t>(info.piece_length()));
  return hashes;
}

int leaves_per_piece(std::uint64_t file_size, std::uint32_t piece_size) {
  // A file of one piece or less pads its blocks to a power of two; longer files pad each piece
  // to the piece's block count.
  const auto blocks_in_file = static_cast<unsigned>((file_size + kBlockSize - 1) / kBlockSize);
  return file_size <= piece_size ? static_cast<int>(std::bit_ceil(std::max(blocks_in_file, 1u)))
                                 : static_cast<int>(piece_size / kBlockSize);
}

lt::sha256_hash merkle_root(lt::span<const lt::sha256_hash> blocks, int leaves) {
  std::vector<lt::sha256_hash> level(blocks.begin(), blocks.end());
  level.resize(std::size_t(std::max(leaves, 1)));  // padding leaves are all zero
  while (level.size() > 1) {
    for (std::size_t i = 0; i < level.size() / 2; ++i) {
      lt::hasher256 pair;
      pair.update(level[2 * i]).update(level[2 * i + 1]);
      level[i] = pair.final();
    }
    level.resize(level.size() / 2);
  }
  return level.front();
}

std::shared_ptr<const PieceHashes> PieceHashRegistry::expect(const lt::torrent_info& info) {
  auto copied = PieceHashes::of(info);
  if (!copied) return nullptr;
  auto hashes = std::make_shared<const PieceHashes>(std::move(*copied));
  std::lock_guard lock(mutex_);
  std::erase_if(torrents_, [](const auto& entry) { return entry.second.expired(); });
  torrents_[info.info_hashes().get_best()] = hashes;
  return hashes;
}

std::shared_ptr<const PieceHashes> PieceHashRegistry::expect_provisional(
    const lt::torrent_info& info, std::shared_ptr<ProvisionalRoots> roots) {
  if (info.num_files() != 1 || info.num_pieces() <= 0) return nullptr;
  PieceHashes made;
  for (int piece = 0; piece < info.num_pieces(); ++piece) {
    made.v1.push_back(info.hash_for_piece(lt::piece_index_t{piece}));
  }
  made.leaves_per_piece = peer::leaves_per_piece(static_cast<std::uint64_t>(info.total_size()),
                                                 static_cast<std::uint32_t>(info.piece_length()));
  made.provisional = std::move(roots);
  auto hashes = std::make_shared<const PieceHashes>(std::move(made));
  std::lock_guard lock(mutex_);
  std::erase_if(torrents_, [](const auto& entry) { return entry.second.expired(); });
  torrents_[info.info_hashes().get_best()] = hashes;
  return hashes;
}

std::shared_ptr<const PieceHashes> PieceHashRegistry::find(const lt::sha1_hash& best) const {
  std::lock_guard lock(mutex_);
  auto it = torrents_.find(best);
  return it == torrents_.end() ? nullptr : it->second.lock();
}

}  // namespace swarmcopy::peer
