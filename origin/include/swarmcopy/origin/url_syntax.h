// Whether libcurl, which every transfer hands a URL to, can parse it (curl_url_set): the engine's
// own check of a URL (engine/src/url.h) asks, so that a URL libcurl refuses (a bad port, a host
// with characters no host name has, an unclosed IPv6 literal) is refused when the file is added,
// not when its transfer starts. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace swarmcopy::engine::origin {

// nullopt when libcurl parses `url`; else libcurl's reason ("Port number was not a decimal
// number between 0 and 65535", ...).
std::optional<std::string> url_syntax_error(std::string_view url);

}  // namespace swarmcopy::engine::origin
