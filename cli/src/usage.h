// The text of a usage error (exit 1): what is wrong, the usage line of the (sub)command in
// question, and where the full help is. Short on purpose: the whole --help after every typo
// would bury the one line that matters.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace swarmcopy::cli {

// For a problem found after parsing, on `command` (the app or a subcommand).
std::string usage_error_text(const CLI::App& command, std::string_view message);

// For CLI::App::failure_message: a parse error, on the deepest subcommand that was named,
// with "did you mean --json?" for each unknown word close to an option or verb of it.
std::string failure_message(const CLI::App* app, const CLI::Error& error);

}  // namespace swarmcopy::cli
