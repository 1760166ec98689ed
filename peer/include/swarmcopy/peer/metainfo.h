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
  // The v1 part's piece hashes: 20 bytes (SHA-1 of the whole piece) per piece, in order. The
  // engine checks origin pieces it writes itself against them.
  std::string piece_hashes_v1;
};

// True when `data` is piece `piece` of the content `meta` describes (SHA-1 against the v1
// piece hash). Any thread.
bool piece_matches(const Metainfo& meta, std::uint32_t piece, std::span<const char> data);

// Writes "<file>.torrent" beside `file` (replacing it atomically) and returns what it holds.
// piece_size 0 picks one from the file's size; otherwise a power of two of at least 16 KiB.
api::Result<Metainfo> publish(const std::filesystem::path& file, std::uint32_t piece_size = 0);

// Reads metainfo bytes (from the origin, never from a peer). Refused with a clear
// kInvalidArgument: not bencoded metainfo, more than one file, no v2 part.
api::Result<Metainfo> parse_metainfo(std::span<const char> bytes, const std::string& source);

// Checks a whole file against the metainfo's piece hashes (every piece read and hashed; the
// file must have exactly the metainfo's size). For the cache's check after an unclean
// shutdown. Blocking: call off the engine thread.
bool verify_file(const Metainfo& meta, const std::filesystem::path& file);
// The same through a descriptor the caller holds (read with pread; a job's temporary file is
// never re-opened by path). False unless it is a regular file.
bool verify_fd(const Metainfo& meta, int fd);

}  // namespace swarmcopy::peer
