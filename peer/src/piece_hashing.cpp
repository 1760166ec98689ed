#include "piece_hashing.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <libtorrent/hasher.hpp>
#include <thread>

#include "piece_hashes.h"
#include "swarmcopy/util/file_io.h"

namespace swarmcopy::peer {
namespace {

constexpr std::size_t kBlock = 16 * 1024;

}  // namespace

std::optional<PieceDigests> hash_pieces(int fd, const PieceGeometry& geometry, bool with_v1,
                                        HashFailure& failure) {
  const std::uint64_t piece_size = geometry.piece_size;
  const auto pieces = static_cast<std::size_t>((geometry.size + piece_size - 1) / piece_size);
  PieceDigests digests;
  digests.roots.resize(pieces);
  if (with_v1) digests.v1.resize(pieces);
  std::atomic<std::size_t> next{0};
  std::atomic<int> first_error{0};

  const auto work = [&] {
    std::vector<char> buffer(piece_size);
    std::vector<lt::sha256_hash> blocks;
    for (std::size_t piece = next++; piece < pieces && first_error == 0; piece = next++) {
      const std::uint64_t offset = piece * piece_size;
      const auto length = static_cast<std::size_t>(std::min(piece_size, geometry.size - offset));
      if (const int error = util::pread_fully(fd, {buffer.data(), length}, offset); error != 0) {
        int none = 0;
        first_error.compare_exchange_strong(none, error == ENODATA ? EIO : error);
        return;
      }
      if (with_v1) digests.v1[piece] = lt::hasher(buffer.data(), static_cast<int>(length)).final();
      blocks.clear();
      for (std::size_t at = 0; at < length; at += kBlock) {
        const auto block = static_cast<int>(std::min(kBlock, length - at));
        blocks.push_back(lt::hasher256(buffer.data() + at, block).final());
      }
      digests.roots[piece] = merkle_root(blocks, geometry.leaves_per_piece);
    }
  };

  const auto cores = std::max(1u, std::thread::hardware_concurrency());
  const auto helpers = std::min<std::size_t>(cores, pieces) - (pieces > 0 ? 1 : 0);
  std::vector<std::jthread> workers;
  for (std::size_t i = 0; i < helpers; ++i) workers.emplace_back(work);
  work();           // this thread is one of the workers
  workers.clear();  // joins
  if (first_error != 0) {
    failure.error = first_error;
    return std::nullopt;
  }
  return digests;
}

}  // namespace swarmcopy::peer
