// FileStatus: one file of a job as EnumFiles reports it: the spec, its progress, and where
// its bytes came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/download_mode.h"

namespace swarmcopy::api {

// Traffic with one LAN peer for one file.
struct PeerTraffic {
  std::string addr;  // "IP:PORT" as the peer was seen
  std::uint64_t bytes_down = 0;
  std::uint64_t bytes_up = 0;
  bool operator==(const PeerTraffic&) const = default;
};

struct FileStatus {
  std::string url;
  std::string local_path;
  std::optional<std::string> sha256;         // the expected hash, when the caller gave one
  std::optional<std::string> metadata_url;   // as the caller gave it
  DownloadMode mode = DownloadMode::kLan;    // as the engine applies it
  std::optional<std::uint64_t> bytes_total;  // nullopt until the origin told the size
  std::uint64_t bytes_transferred = 0;       // verified and on disk
  bool completed = false;
  // Bytes by source, counted as they arrive (a re-download after a failure counts again).
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t from_cache = 0;
  std::uint64_t uploaded = 0;  // payload bytes served to peers while this file transferred
  std::uint32_t peers_seen = 0;
  std::uint32_t peers_connected = 0;
  std::vector<PeerTraffic> peers;
  // Why peers gave nothing ("no metadata at the origin", "mode http-only", "no peer found",
  // ...); unset while peers contribute or nothing is known yet.
  std::optional<std::string> peers_unused_reason;
  bool operator==(const FileStatus&) const = default;
};

}  // namespace swarmcopy::api
