// V2HashingDisk: libtorrent's disk I/O, hashing a hybrid torrent's pieces with SHA-256 only.
//
// For a hybrid (v1 + v2) torrent libtorrent hashes every piece twice: SHA-1 for the v1 piece
// hash and SHA-256 for the v2 16 KiB block hashes, and it wants both to agree. On this machine
// the SHA-1 pass cost ~0.65 CPU-seconds per GiB downloaded, as much as the SHA-256 one
// (bench/peer_pair, perf). The v1 hash adds nothing to trust: SHA-256 Merkle trees are the
// stronger check, and both sets of hashes come from the same origin metainfo.
//
// So this decorator around libtorrent's default disk I/O asks for the v2 block hashes only,
// folds them into the piece's Merkle root itself, and compares that root with the metainfo's
// piece layer. A match answers libtorrent with the metainfo's own v1 hash for the piece (so
// its v1 check passes, and v1-only peers are still served and checked the same way); a
// mismatch answers an all-zero v1 hash, so both checks fail and libtorrent rejects the piece
// and blames its sources as before. Torrents it was not told about, with more than one file or
// without piece layers, are hashed by libtorrent as usual.
//
// Threads: expect() on any thread; the disk_interface calls come from libtorrent's network
// thread, as libtorrent makes them.
#pragma once

#include <libtorrent/disk_interface.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/sha1_hash.hpp>
#include <libtorrent/torrent_info.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace swarmcopy::peer {

// What a piece is checked against: the metainfo's hashes, copied (libtorrent frees a
// torrent_info's piece layers once it has loaded them).
struct PieceHashes {
  std::vector<lt::sha1_hash> v1;       // per piece
  std::vector<lt::sha256_hash> layer;  // per piece: Merkle root of its blocks
  int leaves_per_piece = 0;            // blocks a piece's subtree has, padding included
  // Copies them from a single-file hybrid torrent with its piece layer; nothing otherwise.
  static std::optional<PieceHashes> of(const lt::torrent_info& info);
};

// The Merkle root over `blocks` SHA-256 leaf hashes, padded with all-zero leaves to `leaves`
// (a power of two), as BitTorrent v2 builds its trees.
lt::sha256_hash merkle_root(lt::span<const lt::sha256_hash> blocks, int leaves);

// Torrents whose pieces V2HashingDisk may hash with SHA-256 only, by the hash libtorrent names
// a torrent's storage with (info_hashes().get_best()). An entry lives as long as someone holds
// what expect() returned (the session's swarm, libtorrent's storage).
class PieceHashRegistry {
 public:
  // Null for a torrent that V2HashingDisk leaves to libtorrent.
  std::shared_ptr<const PieceHashes> expect(const lt::torrent_info& info);
  std::shared_ptr<const PieceHashes> find(const lt::sha1_hash& best) const;

 private:
  mutable std::mutex mutex_;
  std::map<lt::sha1_hash, std::weak_ptr<const PieceHashes>> torrents_;
};

// A session_params::disk_io_constructor that wraps libtorrent's default disk I/O.
lt::disk_io_constructor_type v2_hashing_disk(std::shared_ptr<PieceHashRegistry> registry);

}  // namespace swarmcopy::peer
