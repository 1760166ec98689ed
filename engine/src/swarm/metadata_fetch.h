// MetadataFetch: gets a file's metadata (its BitTorrent v2 metainfo) from the origin — at the
// URL the caller named, or at the file's URL with ".torrent" added to its path — and parses
// it. Never from a peer: the metadata is what every peer's bytes are checked against.
//
// Engine thread only (it uses the engine's HttpClient); the result arrives once, never after
// cancel() or destruction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/origin/http_client.h"
#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::engine::swarm {

// "http://h/p/f.iso?x=1" -> "http://h/p/f.iso.torrent?x=1" (the fragment dropped).
std::string default_metadata_url(const std::string& url);

struct MetadataResult {
  // Set when the origin has no metadata for the file (HTTP 404 / 410): HTTP alone then.
  std::optional<std::string> absent_reason;
  std::optional<peer::Metainfo> meta;
};

class MetadataFetch {
 public:
  using Done = std::function<void(std::expected<MetadataResult, origin::FetchError>)>;

  // Metadata larger than this is refused (a 1 TiB file's metainfo stays far below).
  static constexpr std::size_t kMaxBytes = 64u << 20;

  // `named`: the caller gave this URL (then metadata that does not parse is an error; at the
  // default URL it only means the origin publishes none: an origin may answer any path).
  MetadataFetch(origin::HttpClient& http, std::string url, bool named,
                origin::RequestOptions options, Done done);
  ~MetadataFetch();
  MetadataFetch(const MetadataFetch&) = delete;
  MetadataFetch& operator=(const MetadataFetch&) = delete;

  const std::string& url() const { return url_; }
  void cancel();

 private:
  void on_done(std::expected<void, origin::FetchError> result);

  origin::HttpClient& http_;
  std::string url_;
  bool named_;
  Done done_;
  std::vector<char> body_;
  std::optional<origin::HttpClient::RequestId> request_;
};

}  // namespace swarmcopy::engine::swarm
