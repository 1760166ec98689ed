// PieceHashes: what a piece of one of our torrents is checked against, kept beside libtorrent.
//
// Every check of ours compares SHA-256 Merkle roots: a piece's 16 KiB block hashes folded into
// its root, against the metainfo's v2 piece layer. The v1 SHA-1 hashes are kept only to answer
// libtorrent, which wants a hybrid torrent's v1 hash to agree (see FileDisk). libtorrent frees
// a torrent_info's piece layers once it has loaded them, so the disk layer and the engine read
// a copy made when the swarm is added (PieceHashRegistry).
//
// Threads: PieceHashRegistry is safe on any thread; PieceHashes is immutable once made.
#pragma once

#include <libtorrent/sha1_hash.hpp>
#include <libtorrent/span.hpp>
#include <libtorrent/torrent_info.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "provisional_roots.h"

namespace swarmcopy::peer {

struct PieceHashes {
  std::vector<lt::sha1_hash> v1;       // per piece
  std::vector<lt::sha256_hash> layer;  // per piece: Merkle root of its blocks
  int leaves_per_piece = 0;            // blocks a piece's subtree has, padding included
  // A provisional swarm's (make_provisional_metainfo): no layer; each piece's root is the one
  // this machine or a peer announced, and `v1` holds the placeholders libtorrent compares.
  std::shared_ptr<ProvisionalRoots> provisional;
  // Copies them from a single-file hybrid torrent with its piece layer; nothing otherwise.
  static std::optional<PieceHashes> of(const lt::torrent_info& info);
};

// The leaves of one piece's Merkle subtree: the piece's blocks (16 KiB), padding included. A file
// of one piece has no piece layer: its root is over its blocks padded to a power of two.
int leaves_per_piece(std::uint64_t file_size, std::uint32_t piece_size);

// The Merkle root over `blocks` SHA-256 leaf hashes, padded with all-zero leaves to `leaves`
// (a power of two), as BitTorrent v2 builds its trees.
lt::sha256_hash merkle_root(lt::span<const lt::sha256_hash> blocks, int leaves);

// The hashes of the torrents the session holds, by the hash libtorrent names a torrent's
// storage with (info_hashes().get_best()). An entry lives as long as someone holds what
// expect() returned (the session's swarm, the disk layer's storage).
class PieceHashRegistry {
 public:
  // Null for a torrent that is not single-file hybrid with a piece layer.
  std::shared_ptr<const PieceHashes> expect(const lt::torrent_info& info);
  // A provisional swarm's: its pieces are checked against `roots`.
  std::shared_ptr<const PieceHashes> expect_provisional(const lt::torrent_info& info,
                                                        std::shared_ptr<ProvisionalRoots> roots);
  std::shared_ptr<const PieceHashes> find(const lt::sha1_hash& best) const;

 private:
  mutable std::mutex mutex_;
  std::map<lt::sha1_hash, std::weak_ptr<const PieceHashes>> torrents_;
};

}  // namespace swarmcopy::peer
