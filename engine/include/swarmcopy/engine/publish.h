// Publishing a file for the swarm: its metainfo (a BitTorrent v2 hybrid ".torrent"), written
// beside it, which an origin serves at the file's URL + ".torrent" and every piece is then
// verified against, whoever sends it. What `swarmcopy publish` runs; the swarm layer (peer/)
// stays behind the engine. Blocking: reads and hashes the whole file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "swarmcopy/api/error.h"

namespace swarmcopy::engine {

struct PublishedFile {
  std::filesystem::path metainfo;  // FILE.torrent, replaced atomically
  std::uint64_t size = 0;
  std::uint32_t piece_size = 0;
  std::uint32_t pieces = 0;
  std::string info_hash_v2;  // 64 hex digits: the content's identity
  std::string info_hash_v1;  // 40 hex digits: what v1-only peers use
};

// `piece_size` 0 picks one from the file's size; otherwise a power of two of at least 16 KiB.
api::Result<PublishedFile> publish_file(const std::filesystem::path& file,
                                        std::uint32_t piece_size = 0);

}  // namespace swarmcopy::engine
