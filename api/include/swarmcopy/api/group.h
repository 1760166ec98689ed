// Group mode's settings (DownloadMode::kGroup): the machine's group and the trackers where the
// group's machines meet. What swarmcopyd.conf, `swarmcopy get` and programs embedding the engine
// accept, checked alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::api {

// A group: 1-255 bytes of printable ASCII, no whitespace (an AD site name, a DNS domain, a
// DHCP-given identifier). It never leaves the machine as itself: announces carry a hash of it.
Result<void> check_group_id(std::string_view group);

// A tracker's announce URL: http://, https:// or udp://, a host, no whitespace or control
// character, at most 2048 bytes.
Result<void> check_tracker_url(std::string_view url);

// "URL URL ..." or "URL, URL": the list as swarmcopyd.conf and --tracker write it, each checked.
Result<std::vector<std::string>> parse_tracker_list(std::string_view text);

}  // namespace swarmcopy::api
