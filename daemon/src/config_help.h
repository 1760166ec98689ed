// What each config key does, in one or two sentences: the help of its command line option
// (`swarmcopyd --help`). The same words as the comments of swarmcopyd.conf, shorter; a unit
// test checks that every key of config_keys() has its text. Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace swarmcopy::daemon {

// Empty for a key this table does not know (the test keeps that from happening).
std::string_view config_key_help(std::string_view key);

}  // namespace swarmcopy::daemon
