// swarmcopyd.conf's spelling of the download caps: a limit is "0" (none), a rate in bytes per
// second ("1048576"), or a percentage of the measured throughput ("40%"); business hours are
// "BEGIN-END" in whole hours, local time ("8-17"; "22-6" wraps past midnight; "" none). Pure.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::daemon {

std::expected<engine::DownloadLimit, std::string> parse_download_limit(std::string_view text);
std::string format_download_limit(const engine::DownloadLimit& limit);

// {begin, end}; {0, 0} for "".
std::expected<std::pair<int, int>, std::string> parse_business_hours(std::string_view text);
std::string format_business_hours(int begin, int end);

}  // namespace swarmcopy::daemon
