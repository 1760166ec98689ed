// BadPeerOptions: what a BadPeer (bad_peer.h) claims and what it sends. Plain value type; the
// numbers come from the torrent under test (peer::Metainfo has them all).
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

namespace swarmcopy::test {

struct BadPeerOptions {
  enum class Mode {
    kAllGarbage,            // every block is garbage
    kGarbageForSomePieces,  // garbage for `corrupt_pieces`; the rest read from `source_file`
  };

  // 40 hex digits: the v1 info-hash (Metainfo::info_hash_v1), sent and expected in the
  // handshake. A hybrid torrent's v1 hash makes the remote treat us as a v1 peer (BEP 52), so
  // it never asks us for Merkle hashes: it verifies against its own metainfo.
  std::string info_hash_v1;
  std::uint64_t size = 0;  // the file's bytes: the last piece may be short
  std::uint32_t piece_size = 0;
  std::uint32_t pieces = 0;  // every one of them is claimed in the bitfield

  Mode mode = Mode::kAllGarbage;
  std::set<std::uint32_t> corrupt_pieces;  // kGarbageForSomePieces only
  std::filesystem::path source_file;       // kGarbageForSomePieces only: the true content
  // kGarbageForSomePieces only: the garbage starts once this many pieces have been delivered
  // whole (all true, whatever their index); a piece in flight then turns into a mix. The
  // remote picks pieces in an order a test cannot choose, and libtorrent bans a peer at its
  // first bad piece: this is how a test gets true pieces accepted before that.
  std::uint32_t true_pieces_first = 0;

  // Connections (accepted and dialed together) handled over the peer's life; later ones are
  // closed at once. Bounds a remote that redials forever.
  int max_connections = 64;
};

}  // namespace swarmcopy::test
