// The file list of `job add --from FILE`: one "URL PATH" per line (PATH is the rest of the
// line, spaces included), blank lines and lines starting with '#' ignored. A line without
// both is an error naming FILE and the line number. Any thread.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace swarmcopy::cli {

struct FileLine {
  std::string url;
  std::string path;
  std::string where;  // "FILE:LINE" for an error message; "" for command-line pairs
};

// Parses `text` as read from `name`.
std::expected<std::vector<FileLine>, std::string> parse_file_list(std::string_view text,
                                                                  const std::string& name);
// Reads and parses the file at `path` ("-": stdin).
std::expected<std::vector<FileLine>, std::string> read_file_list(const std::string& path);

}  // namespace swarmcopy::cli
