// error_text: the one line a person reads for an api::Error, in words. api::Error::describe()
// ends in the machine's names ("(engine invalid_argument)", "(local 11)") that logs and tests
// key on; the CLI's error lines, the progress bar and `job show` use this instead: the
// message, then what kind of failure it is in plain words where the message does not already
// say it (an HTTP status stays "(http 404)", a number people look up), then the URL or path.
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "swarmcopy/api/error.h"

namespace swarmcopy::cli {

// "HTTP 404 Not Found (http 404): https://host/f", "state directory is in use by another
// swarmcopy (pid 42): /home/u/.local/state/swarmcopy", "cannot open lock file: Permission
// denied (permission denied): /x/lock".
std::string error_text(const api::Error& error);

// What a kind of failure is, in a few words ("the file changed on the server"); never empty.
std::string_view kind_words(api::ErrorKind kind);

}  // namespace swarmcopy::cli
