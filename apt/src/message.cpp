#include "swarmcopy/apt/message.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

namespace swarmcopy::apt {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Keys may hold letters, digits, '-' and ' ' (apt's own check); anything else is dropped, and
// so are spaces at either end (a line that starts with one continues the previous field).
std::string clean_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ' ') out += c;
  }
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

}  // namespace

std::optional<std::string> Message::get(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (same_name(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Message::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : fields) {
    if (same_name(key, name)) out.push_back(value);
  }
  return out;
}

std::string format_message(const Message& message) {
  char code[8];
  std::snprintf(code, sizeof code, "%03d", std::clamp(message.code, 0, 999));
  std::string out = code;
  out += " " + clean_name(message.status) + "\n";
  for (const auto& [name, value] : message.fields) {
    const auto key = clean_name(name);
    // The value's lines, control characters made spaces, trimmed; empty ones left out (a line
    // of only a space would end the message).
    std::vector<std::string> lines;
    std::string line;
    const auto end_line = [&] {
      const auto first = line.find_first_not_of(' ');
      if (first != std::string::npos) {
        lines.push_back(line.substr(first, line.find_last_not_of(' ') - first + 1));
      }
      line.clear();
    };
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        end_line();
      } else {
        line += (u < 32 || u == 127) ? ' ' : c;
      }
    }
    end_line();
    if (key.empty() || lines.empty()) continue;
    out += key + ": " + lines.front();
    for (std::size_t i = 1; i < lines.size(); ++i) out += "\n " + lines[i];  // continuation
    out += '\n';
  }
  out += '\n';
  return out;
}

}  // namespace swarmcopy::apt
