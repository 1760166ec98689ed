// DownloadMode: where a file's bytes may come from (Delivery Optimization's download modes).
// `lan` (the default): the origin's metadata, LAN peers and the content cache; `group`: as lan,
// with the peers of the machine's group (its group_id), found through the group's trackers and
// on the link (Delivery Optimization's Group mode); `http-only`: the origin and the cache, no
// peers; `bypass`: the origin alone, no metadata, no cache. (`internet` through DHT comes
// later.) Text names are part of the JSON / IPC contract.
#pragma once

#include <optional>
#include <string_view>

namespace swarmcopy::api {

enum class DownloadMode { kLan, kHttpOnly, kBypass, kGroup };

std::string_view to_string(DownloadMode mode);
std::optional<DownloadMode> parse_download_mode(std::string_view text);

}  // namespace swarmcopy::api
