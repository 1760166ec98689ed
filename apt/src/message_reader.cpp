#include "swarmcopy/apt/message_reader.h"

#include <cctype>

namespace swarmcopy::apt {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 32 || u == 127) ? '?' : c;
  }
  return out;
}

// A line of only whitespace ends a message (apt writes "\n", a hand-typed one may hold "\r").
bool blank(std::string_view line) { return trim(line).empty(); }

}  // namespace

std::expected<Message, MalformedMessage> parse_message(std::string_view block) {
  // Split into lines; a line starting with a space or tab continues the previous field.
  std::vector<std::string_view> lines;
  while (!block.empty()) {
    const auto end = block.find('\n');
    lines.push_back(block.substr(0, end));
    if (end == std::string_view::npos) break;
    block.remove_prefix(end + 1);
  }
  Message message;
  std::optional<std::string> bad;
  const auto first = trim(lines.empty() ? std::string_view{} : lines.front());
  if (first.size() < 3 || !std::isdigit(static_cast<unsigned char>(first[0])) ||
      !std::isdigit(static_cast<unsigned char>(first[1])) ||
      !std::isdigit(static_cast<unsigned char>(first[2])) ||
      (first.size() > 3 && first[3] != ' ')) {
    bad = "no status code: \"" + printable(first) + "\"";
  } else {
    message.code = (first[0] - '0') * 100 + (first[1] - '0') * 10 + (first[2] - '0');
    message.status = std::string(trim(first.substr(3)));
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      if (message.fields.empty()) {
        if (!bad) bad = "continuation line before any field: \"" + printable(line) + "\"";
        continue;
      }
      message.fields.back().second += "\n" + std::string(trim(line));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || trim(line.substr(0, colon)).empty()) {
      if (!bad) bad = "field line without a name: \"" + printable(line) + "\"";
      continue;
    }
    message.fields.emplace_back(std::string(trim(line.substr(0, colon))),
                                std::string(trim(line.substr(colon + 1))));
  }
  if (bad) return std::unexpected(MalformedMessage{*bad, message.get("URI")});
  return message;
}

void MessageReader::feed(std::string_view bytes) { buffer_.append(bytes); }

std::optional<std::expected<Message, MalformedMessage>> MessageReader::next() {
  // Skip blank lines before a message.
  std::size_t start = 0;
  while (start < buffer_.size()) {
    const auto end = buffer_.find('\n', start);
    if (end == std::string::npos) break;
    if (!blank(std::string_view(buffer_).substr(start, end - start))) break;
    start = end + 1;
  }
  buffer_.erase(0, start);
  // Find the blank line that ends the message.
  std::size_t pos = 0;
  while (true) {
    const auto end = buffer_.find('\n', pos);
    if (end == std::string::npos) break;
    if (blank(std::string_view(buffer_).substr(pos, end - pos)) && pos > 0) {
      auto block = buffer_.substr(0, pos - 1);
      buffer_.erase(0, end + 1);
      return parse_message(block);
    }
    pos = end + 1;
  }
  if (buffer_.size() > kMaxMessageBytes) {
    buffer_.clear();
    return std::expected<Message, MalformedMessage>(std::unexpect,
                                                    MalformedMessage{"message too long", {}});
  }
  return std::nullopt;
}

}  // namespace swarmcopy::apt
