// The few URL facts the CLI needs before the engine sees a URL: is it http(s), and what file
// name does it end in. Pure functions: any thread.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace swarmcopy::cli {

// True for an absolute http:// or https:// URL with a host (scheme in either case).
bool is_http_url(std::string_view url);

// For the command line's URL arguments: `url` unchanged when is_http_url, else a sentence
// saying what is wrong (a usage error: the engine could not fetch it anyway).
std::expected<std::string, std::string> parse_http_url(std::string_view url);

// The last segment of the URL's path, percent-decoded, without query or fragment:
// "http://h/a/b%20c.iso?x=1" -> "b c.iso". nullopt when there is none or it could not be a
// file name ("http://h/", "http://h/dir/", "..", one containing '/' or NUL once decoded).
std::optional<std::string> file_name_from_url(std::string_view url);

}  // namespace swarmcopy::cli
