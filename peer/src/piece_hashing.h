// hash_pieces: every piece of a file hashed as a hybrid torrent needs it — the v1 SHA-1 of the
// piece and the v2 SHA-256 Merkle root of its 16 KiB blocks — on every core at once.
//
// Each worker takes the next piece, reads it once and hashes it twice while it is in the CPU's
// cache. libtorrent's set_piece_hashes ran the two hashes one after the other on one thread
// (its hashing_threads setting did not spread them on 2 cores): `publish` of 1 GiB took
// 2.0-2.2 s against 1.0 s for `openssl dgst -sha256` of the same file.
//
// Threads: blocking; starts and joins its own workers. Reads with pread through `fd` (never
// re-opened), so the caller decides how the file is opened.
#pragma once

#include <libtorrent/sha1_hash.hpp>
#include <optional>
#include <vector>

namespace swarmcopy::peer {

struct PieceDigests {
  std::vector<lt::sha1_hash> v1;       // per piece; empty unless asked for
  std::vector<lt::sha256_hash> roots;  // per piece: Merkle root of its blocks
};

struct PieceGeometry {
  std::uint64_t size = 0;        // the file's bytes
  std::uint32_t piece_size = 0;  // a power of two, at least 16 KiB
  int leaves_per_piece = 0;      // see PieceHashes (a single-piece file pads to a power of two)
};

// Errors: the errno of a failed read, or EIO when the file is shorter than `geometry.size`.
struct HashFailure {
  int error = 0;
};

// Hashes the first `geometry.size` bytes of `fd`. `with_v1`: also the SHA-1 per piece.
std::optional<PieceDigests> hash_pieces(int fd, const PieceGeometry& geometry, bool with_v1,
                                        HashFailure& failure);

}  // namespace swarmcopy::peer
