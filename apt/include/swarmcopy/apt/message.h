// Message: one message of apt's method protocol (apt's doc/method.dbk): a status line
// "NNN Text" and header fields "Name: value", ended by a blank line. Names are compared without
// regard to case, as apt's LookupTag does ("Filename" and "FileName" are the same field); a
// field may appear more than once (601 Configuration repeats Config-Item). Plain value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmcopy::apt {

struct Message {
  int code = 0;        // 100, 600, 201, ...
  std::string status;  // "Capabilities", "URI Acquire", ...
  std::vector<std::pair<std::string, std::string>> fields;

  // The first field named `name` (any case), nullopt when absent.
  std::optional<std::string> get(std::string_view name) const;
  // Every field named `name` (any case), in order.
  std::vector<std::string> get_all(std::string_view name) const;
  Message& add(std::string name, std::string value) {
    fields.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// The wire form: status line, one line per field (a value's further lines continued by a
// leading space, as apt writes them), a blank line. Control characters other than the line
// breaks of a multi-line value become spaces, and an empty value leaves its field out, so the
// output is always one well-formed message.
std::string format_message(const Message& message);

}  // namespace swarmcopy::apt
