// Metainfo: the content identity that the origin publishes beside a file — a BitTorrent v2
// hybrid metainfo (".torrent"): v2 Merkle trees, so every 16 KiB block of a piece verifies on
// its own and a peer that sends garbage is identified; and the v1 part, so v1-only clients can
// join. `publish` writes it (what `swarmcopy publish` runs); `parse_metainfo` reads one that
// came from the origin and keeps only what the engine needs. libtorrent stays inside peer/:
// this header has no libtorrent type. Functions: any thread; publish reads the whole file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::peer {

struct Metainfo {
  std::string name;        // the file's name inside the metainfo
  std::uint64_t size = 0;  // bytes
  std::uint32_t piece_size = 0;
  std::uint32_t pieces = 0;
  std::string info_hash_v2;  // 64 hex digits: the content identity (cache key, swarm id)
  std::string info_hash_v1;  // 40 hex digits: what v1-only peers use
  std::vector<char> bytes;   // the bencoded metainfo as published
  // The v2 piece layer, what every check of ours compares with (origin pieces, resume adoption,
  // re-checks), as libtorrent's own checks do (FileDisk): per piece, in order, the 32-byte
  // SHA-256 Merkle root of its 16 KiB blocks. A piece's subtree has `leaves_per_piece` leaves
  // (a short last piece is padded with zero leaves; a file of one piece: its blocks padded to a
  // power of two, and the root is the file's).
  std::string piece_roots;
  std::uint32_t leaves_per_piece = 0;
  // A provisional metainfo (make_provisional_metainfo): v1 only, placeholder piece hashes, no
  // piece layer; `info_hash_v2` is then the SHA-256 of its info dict (how a v2 info-hash is
  // made), our key for it, which libtorrent never sees.
  bool provisional = false;
};

// True when `data` is piece `piece` of the content `meta` describes: its size, and the Merkle
// root of its blocks against the piece layer. Any thread.
bool piece_matches(const Metainfo& meta, std::uint32_t piece, std::span<const char> data);

// Writes "<file>.torrent" beside `file` (replacing it atomically) and returns what it holds.
// piece_size 0 picks one from the file's size; otherwise a power of two of at least 16 KiB.
api::Result<Metainfo> publish(const std::filesystem::path& file, std::uint32_t piece_size = 0);

// Content nobody published: the metainfo a machine holding verified content makes for it
// itself, the same on every machine for the same bytes (so the same info-hash): named by its
// SHA-256 (lower-case hex), a piece size that follows from the size alone (site_piece_size), no
// creator, no date, hybrid v1 + v2. `fd` holds the content's first `size` bytes, already
// verified against `sha256` by the caller (this reads each byte once, for the pieces). Blocking.
std::uint32_t site_piece_size(std::uint64_t size);
api::Result<Metainfo> make_site_metainfo(int fd, std::uint64_t size, const std::string& sha256);

// Content nobody published, before any machine holds it whole (a rollout: a site's machines all
// start within seconds): the metainfo every machine derives from the SHA-256 and the size alone,
// so all join one swarm at once (the same info-hash). v1 only, named by the SHA-256 and
// ".provisional", site_piece_size, no creator, no date; each piece's v1 hash is a placeholder:
// the piece's real check is the Merkle root of its blocks that the machines which fetched it
// from the origin announce (Session: a provisional swarm), and the whole file's SHA-256 decides.
// Refused: a malformed SHA-256, size 0.
api::Result<Metainfo> make_provisional_metainfo(const std::string& sha256, std::uint64_t size);

// The SHA-256 Merkle root of piece `piece`'s 16 KiB blocks (32 raw bytes), as a v2 piece layer
// holds it; empty when `data` does not have the piece's length. Any thread.
std::string piece_root(const Metainfo& meta, std::uint32_t piece, std::span<const char> data);

// Content private to a group (fetched with credentials): `meta` with the group's certificate
// authority (`ca_pem`, PEM) in its info dict, as libtorrent's SSL torrents have it. Other
// info-hashes, the same pieces: a swarm that only machines holding a certificate signed by that
// CA can join (Session: SessionOptions::group_cert_pem). Refused: a CA that is not PEM.
api::Result<Metainfo> make_group_private_metainfo(const Metainfo& meta, const std::string& ca_pem);

// Reads metainfo bytes (from the origin, never from a peer). Refused with a clear
// kInvalidArgument: not bencoded metainfo, more than one file, no v2 part or piece layer, no v1
// part (v1-only peers need it).
api::Result<Metainfo> parse_metainfo(std::span<const char> bytes, const std::string& source);

// Checks a whole file against the metainfo's piece hashes (every piece read and hashed; the
// file must have exactly the metainfo's size). For the cache's check after an unclean
// shutdown. Blocking: call off the engine thread.
bool verify_file(const Metainfo& meta, const std::filesystem::path& file);
// The same through a descriptor the caller holds (read with pread; a job's temporary file is
// never re-opened by path). False unless it is a regular file.
bool verify_fd(const Metainfo& meta, int fd);

}  // namespace swarmcopy::peer
