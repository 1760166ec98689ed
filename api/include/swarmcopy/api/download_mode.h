// DownloadMode: where a file's bytes may come from (Delivery Optimization's download modes).
// `lan` (the default): the origin's metadata, LAN peers and the content cache; `http-only`:
// the origin and the cache, no peers; `bypass`: the origin alone, no metadata, no cache.
// (`group` through a tracker and `internet` through DHT come later.) Text names are part of the
// JSON / IPC contract.
#pragma once

#include <optional>
#include <string_view>

namespace swarmcopy::api {

enum class DownloadMode { kLan, kHttpOnly, kBypass };

std::string_view to_string(DownloadMode mode);
std::optional<DownloadMode> parse_download_mode(std::string_view text);

}  // namespace swarmcopy::api
