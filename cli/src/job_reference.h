// The JOB argument of `swarmcopy job VERB JOB` as typed, before any daemon is asked: a job id
// or a prefix of one long enough that a slip of the keyboard (`job cancel 0`) cannot pick a
// job by chance. Pure functions: any thread.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace swarmcopy::cli {

// The fewest characters a job prefix may have (git's shortest abbreviation too).
inline constexpr std::size_t kMinJobPrefix = 4;

// `text` unchanged when it has at least kMinJobPrefix characters, else a sentence saying so
// (a usage error). Whether it is hex and which job it names is job_resolver.h's question.
std::expected<std::string, std::string> parse_job_reference(std::string_view text);

}  // namespace swarmcopy::cli
