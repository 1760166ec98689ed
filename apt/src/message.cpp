#include "swarmcopy/apt/message.h"

#include <algorithm>
#include <cctype>

namespace swarmcopy::apt {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Keys may hold letters, digits, '-' and ' ' (apt's own check); anything else is dropped.
std::string clean_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ' ') out += c;
  }
  return out;
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
  std::string out = std::to_string(message.code) + " " + clean_name(message.status) + "\n";
  for (const auto& [name, value] : message.fields) {
    if (value.empty()) continue;
    out += clean_name(name) + ": ";
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        out += "\n ";  // continuation line
      } else if (u < 32 || u == 127) {
        out += ' ';
      } else {
        out += c;
      }
    }
    out += '\n';
  }
  out += '\n';
  return out;
}

}  // namespace swarmcopy::apt
