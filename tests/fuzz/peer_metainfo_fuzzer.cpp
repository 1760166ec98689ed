// Fuzzes metainfo loading as the engine does it for a downloaded .torrent
// (engine/src/swarm/metadata_fetch.cpp, swarm_hub.cpp): parse_metainfo on the origin's bytes,
// then what joining the swarm does with the result (peer/src/session.cpp, add_swarm): a
// torrent_info from Metainfo::bytes and PieceHashRegistry::expect on it. Properties of an
// accepted metainfo, which the engine's piece arithmetic relies on (swarm_transfer.cpp):
// - one file, a v2 info-hash of 64 hex digits, the bytes kept as given;
// - piece_size > 0 and `pieces` pieces of piece_size cover `size` exactly (the last one
//   non-empty), so piece_offset and piece_size never run past the file;
// - a v2 piece root for every piece and a power-of-two subtree: piece_matches, every check of
//   ours, has one to compare with (otherwise every origin piece fails);
// - the bytes load again as the session loads them, into hashes for every piece.
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_check.h"
#include "swarmcopy/peer/metainfo.h"
#include "piece_hashes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const char> bytes(reinterpret_cast<const char*>(data), size);
  auto meta = swarmcopy::peer::parse_metainfo(bytes, "http://origin/file.torrent");
  if (!meta) {
    FUZZ_CHECK(meta.error().kind == swarmcopy::api::ErrorKind::kInvalidArgument,
               "a bad metainfo must be invalid_argument");
    FUZZ_CHECK(meta.error().file == "http://origin/file.torrent", "the error names no source");
    return 0;
  }
  FUZZ_CHECK(meta->info_hash_v2.size() == 64 &&
                 meta->info_hash_v2.find_first_not_of("0123456789abcdef") == std::string::npos,
             "the v2 info-hash is not 64 hex digits");
  FUZZ_CHECK(std::equal(bytes.begin(), bytes.end(), meta->bytes.begin(), meta->bytes.end()),
             "the bytes kept are not the bytes given");

  FUZZ_CHECK(meta->piece_size > 0, "a piece size of 0");
  FUZZ_CHECK(meta->pieces > 0 || meta->size == 0, "content without pieces");
  const std::uint64_t covered = std::uint64_t{meta->pieces} * meta->piece_size;
  FUZZ_CHECK(covered >= meta->size, "the pieces do not cover the file");
  FUZZ_CHECK(meta->pieces == 0 || covered - meta->piece_size < meta->size,
             "a piece past the end of the file");

  FUZZ_CHECK(meta->piece_roots.size() == std::size_t{meta->pieces} * 32,
             "not a v2 root for every piece: origin pieces cannot be checked");
  FUZZ_CHECK(std::has_single_bit(meta->leaves_per_piece), "a piece subtree of no power of two");
  if (meta->pieces > 0) {
    // Only the lookup matters here, not the hash: the input is not the piece's data.
    (void)swarmcopy::peer::piece_matches(*meta, meta->pieces - 1, bytes);
  }
  FUZZ_CHECK(!swarmcopy::peer::piece_matches(*meta, meta->pieces, bytes), "a piece past the end");

  lt::error_code ec;
  const lt::torrent_info info(meta->bytes.data(), static_cast<int>(meta->bytes.size()), ec);
  FUZZ_CHECK(!ec, "the session cannot load what parse_metainfo accepted");
  FUZZ_CHECK(info.num_pieces() == static_cast<int>(meta->pieces), "the session sees other pieces");
  swarmcopy::peer::PieceHashRegistry registry;
  const auto hashes = registry.expect(info);
  if (hashes) {
    FUZZ_CHECK(hashes->v1.size() == meta->pieces && hashes->layer.size() == meta->pieces,
               "the disk layer's hashes do not cover every piece");
    FUZZ_CHECK(hashes->leaves_per_piece > 0, "a piece of no blocks");
  }
  return 0;
}
