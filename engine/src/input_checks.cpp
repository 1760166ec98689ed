#include "input_checks.h"

#include <string>
#include <vector>

namespace swarmcopy::engine {
namespace {

bool is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::vector<std::string_view> split_at_tabs(std::string_view text) {
  std::vector<std::string_view> pieces;
  for (auto tab = text.find('\t'); tab != std::string_view::npos; tab = text.find('\t')) {
    pieces.push_back(text.substr(0, tab));
    text.remove_prefix(tab + 1);
  }
  pieces.push_back(text);
  return pieces;
}

api::Result<void> invalid(std::string message) {
  return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                   std::move(message));
}

}  // namespace

bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return true;
    }
  }
  return false;
}

api::Result<void> check_display_name(std::string_view name) {
  if (name.size() > 1024) return invalid("job name is longer than 1024 bytes");
  if (has_control_character(name)) return invalid("job name contains a control character");
  return {};
}

api::Result<void> check_description(std::string_view description) {
  if (description.size() > 1024) return invalid("job description is longer than 1024 bytes");
  if (has_control_character(description)) {
    return invalid("job description contains a control character");
  }
  return {};
}

api::Result<void> check_notify_cmd(const std::vector<std::string>& argv) {
  if (argv.empty()) return {};
  if (argv.size() > 64) return invalid("notify command has more than 64 arguments");
  if (!argv[0].starts_with('/')) {
    return invalid("notify command: the program must be an absolute path (no shell, no PATH)");
  }
  for (const auto& arg : argv) {
    if (arg.size() > 4096) return invalid("notify command argument is longer than 4096 bytes");
    if (arg.find('\0') != std::string::npos) {
      return invalid("notify command argument contains a NUL");
    }
  }
  return {};
}

api::Result<void> check_http_header(std::string_view header) {
  const auto colon = header.find(':');
  const auto bad = [&] {
    return invalid("HTTP header must be 'Name: value' on one line, without control characters");
  };
  if (colon == std::string_view::npos || colon == 0) return bad();
  for (unsigned char c : header.substr(0, colon)) {
    if (!is_token_char(c)) return bad();
  }
  // A tab is whitespace in a header value; every other control character is refused.
  for (const auto& piece : split_at_tabs(header.substr(colon + 1))) {
    if (has_control_character(piece)) return bad();
  }
  return {};
}

}  // namespace swarmcopy::engine
