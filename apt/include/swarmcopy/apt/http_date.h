// RFC 1123 dates as HTTP and apt write them ("Sun, 06 Nov 1994 08:49:37 GMT"). Pure
// functions: any thread.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace swarmcopy::apt {

std::string format_http_date(std::time_t time);
// Also accepts RFC 850 and asctime forms, as HTTP/1.1 asks of recipients.
std::optional<std::time_t> parse_http_date(std::string_view text);

}  // namespace swarmcopy::apt
