#include "file_list.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace swarmcopy::cli {
namespace {

constexpr std::string_view kBlank = " \t\r";

std::string_view trim(std::string_view text) {
  const auto begin = text.find_first_not_of(kBlank);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kBlank) - begin + 1);
}

}  // namespace

std::expected<std::vector<FileLine>, std::string> parse_file_list(std::string_view text,
                                                                  const std::string& name) {
  std::vector<FileLine> lines;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const auto line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    if (line.empty() || line.starts_with('#')) continue;
    const auto where = name + ":" + std::to_string(number);
    const auto gap = line.find_first_of(kBlank);
    if (gap == std::string_view::npos) {
      return std::unexpected(where + ": expected 'URL PATH', got only '" + std::string(line) + "'");
    }
    lines.push_back({std::string(line.substr(0, gap)), std::string(trim(line.substr(gap))), where});
  }
  return lines;
}

std::expected<std::vector<FileLine>, std::string> read_file_list(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected("cannot read --from " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  return parse_file_list(text, path == "-" ? std::string("stdin") : path);
}

}  // namespace swarmcopy::cli
