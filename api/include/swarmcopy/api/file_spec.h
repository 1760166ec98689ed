// FileSpec: what the caller asks for when adding a file to a job (BG_FILE_INFO plus options).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "swarmcopy/api/download_mode.h"

namespace swarmcopy::api {

struct FileSpec {
  FileSpec() = default;
  FileSpec(std::string url_, std::string local_path_,
           std::optional<std::string> sha256_ = std::nullopt,
           std::optional<std::string> metadata_url_ = std::nullopt,
           std::optional<DownloadMode> mode_ = std::nullopt)
      : url(std::move(url_)),
        local_path(std::move(local_path_)),
        sha256(std::move(sha256_)),
        metadata_url(std::move(metadata_url_)),
        mode(mode_) {}

  std::string url;         // http:// or https:// only
  std::string local_path;  // absolute; its directory must exist and be writable
  // Expected SHA-256 of the whole file, 64 hex digits; checked before TRANSFERRED.
  std::optional<std::string> sha256;
  // Where the file's metadata (its BitTorrent v2 metainfo) is; unset: the URL with ".torrent"
  // added to its path. Fetched from there, never from a peer.
  std::optional<std::string> metadata_url;
  // Where bytes may come from; unset: the engine's default (lan).
  std::optional<DownloadMode> mode;
};

}  // namespace swarmcopy::api
