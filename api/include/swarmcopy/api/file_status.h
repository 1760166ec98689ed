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
  // Where the file's bytes came from. Each byte of the file is counted once, by the source of
  // the first copy of it that arrived (and was committed with the job's progress), so
  // from_origin + from_peers + from_cache <= the file's size (== once it is complete).
  // `refetched` counts every other byte that came over the network, from the origin or peers: a
  // range that arrived again (unsynced bytes lost to a crash or a kill and fetched again, an
  // origin that ignores Range sending the file from byte 0 again, a file fetched again after it
  // failed its hash check), an origin piece thrown away by its hash check, and the bytes of an
  // earlier version of the URL's content. A copy from the local cache of bytes received before
  // is not a transfer and counts nowhere. So the bytes received from the network in all are
  // from_origin + from_peers + refetched. Both survive restarts of the engine. Bytes that arrived
  // after the last checkpoint before a crash are counted nowhere (the record never heard of
  // them), and neither are a peer's bytes that libtorrent threw away.
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t from_cache = 0;
  std::uint64_t refetched = 0;
  // The origin answered a request for a range with the whole file (HTTP 200): a resume of this
  // file starts again from byte 0 (and every byte received before counts as refetched).
  bool origin_ignores_range = false;
  std::uint64_t uploaded = 0;  // payload bytes served to peers while this file transferred
  std::uint32_t peers_seen = 0;
  std::uint32_t peers_connected = 0;
  std::vector<PeerTraffic> peers;
  // Why peers gave nothing ("no metadata at the origin", "mode http-only", "no peer found",
  // ...); unset while peers contribute or nothing is known yet.
  std::optional<std::string> peers_unused_reason;
  // Where the metadata the pieces were checked against came from: "origin" (its .torrent),
  // "peers" (content nobody published: a peer's claim, checked against the content),
  // "made here" (this machine holds the content); unset: none (HTTP alone).
  std::optional<std::string> metadata_source;
  bool operator==(const FileStatus&) const = default;
};

}  // namespace swarmcopy::api
