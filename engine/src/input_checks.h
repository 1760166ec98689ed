// Checks of what callers hand the engine as text: job names and descriptions, HTTP headers,
// destination paths. A NUL or control character is refused where it enters, not escaped later: a
// path with a NUL made a job that could never complete, a name with ESC sequences reached root's
// terminal in `job list --all`, and a header with CR/LF would split the origin request. Pure; any
// thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::engine {

// True when `text` holds a C0 control (NUL..0x1f), DEL, or a C1 control (U+0080..U+009F in
// UTF-8, which some terminals obey like ESC sequences).
bool has_control_character(std::string_view text);

// A job's display name: at most 1024 bytes, no control character.
api::Result<void> check_display_name(std::string_view name);

// A job's description (SetDescription): the same rules as the name; it reaches the same
// terminals (`job show`).
api::Result<void> check_description(std::string_view description);

// "Name: value": a token as the name (RFC 9110), no control character (C0, DEL, C1) in the
// value but HTAB.
api::Result<void> check_http_header(std::string_view header);

// A notify command line: empty (none), or an absolute program path and arguments, at most 64
// of them and 4096 bytes each, none holding a NUL.
api::Result<void> check_notify_cmd(const std::vector<std::string>& argv);

}  // namespace swarmcopy::engine
