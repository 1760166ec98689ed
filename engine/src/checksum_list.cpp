#include "checksum_list.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "swarmcopy/origin/http_client.h"

namespace swarmcopy::engine {
namespace {

struct Entry {
  std::string sha256;
  std::optional<std::string> name;  // none: a bare hash (a one-file .sha256)
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// 64 hex digits, as lowercase; nullopt for anything else (another algorithm's length included).
std::optional<std::string> sha256_hex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  std::string hex(text);
  for (char& c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return hex;
}

// coreutils escapes a name holding '\' or a line break and marks the line with a leading '\'.
std::optional<std::string> unescape(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '\\') {
      out += name[i];
      continue;
    }
    if (++i == name.size()) return std::nullopt;
    if (name[i] == '\\') {
      out += '\\';
    } else if (name[i] == 'n') {
      out += '\n';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// One line's entry; nullopt for a line that is not a SHA-256 entry.
std::optional<Entry> parse_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return std::nullopt;
  // BSD tag form: "SHA256 (NAME) = HEX".
  if (line.starts_with("SHA256 (")) {
    const auto close = line.rfind(") = ");
    if (close == std::string_view::npos || close < 8) return std::nullopt;
    auto hex = sha256_hex(line.substr(close + 4));
    if (!hex) return std::nullopt;
    return Entry{*hex, std::string(line.substr(8, close - 8))};
  }
  const bool escaped = line.front() == '\\';
  if (escaped) line.remove_prefix(1);
  auto hex = sha256_hex(line.substr(0, std::min<std::size_t>(line.size(), 64)));
  if (!hex) return std::nullopt;
  std::string_view rest = line.substr(64);
  if (rest.empty()) return Entry{*hex, std::nullopt};
  // "HEX  NAME" (text mode) or "HEX *NAME" (binary mode); a single blank is tolerated.
  if (rest.front() != ' ' && rest.front() != '\t') return std::nullopt;
  rest.remove_prefix(1);
  if (!rest.empty() && (rest.front() == ' ' || rest.front() == '*')) rest.remove_prefix(1);
  if (rest.empty()) return Entry{*hex, std::nullopt};
  if (!escaped) return Entry{*hex, std::string(rest)};
  auto name = unescape(rest);
  if (!name) return std::nullopt;
  return Entry{*hex, *name};
}

bool names_file(const std::string& entry, std::string_view name) {
  if (entry == name) return true;
  return entry.size() > name.size() && entry.ends_with(name) &&
         entry[entry.size() - name.size() - 1] == '/';
}

api::Error list_error(const std::string& message, const std::string& list_url) {
  return api::Error{
      api::ErrorContext::kRemoteFile, api::ErrorKind::kInvalidArgument, 0, message, list_url,
      origin::protocol_of(list_url)};
}

}  // namespace

api::Result<std::string> sha256_from_checksum_list(std::string_view list, std::string_view name,
                                                   const std::string& list_url) {
  std::vector<Entry> entries;
  while (!list.empty()) {
    const auto end = list.find('\n');
    if (auto entry = parse_line(list.substr(0, end))) entries.push_back(std::move(*entry));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
  }
  if (entries.empty()) {
    return std::unexpected(list_error("the checksum list has no SHA-256 entry", list_url));
  }
  std::optional<std::string> found;
  for (const auto& entry : entries) {
    // A bare hash names no file: it is the list's only file, whatever it is called.
    const bool matches = entry.name ? names_file(*entry.name, name) : entries.size() == 1;
    if (!matches) continue;
    if (found && *found != entry.sha256) {
      return std::unexpected(list_error(
          "the checksum list gives two different SHA-256s for '" + std::string(name) + "'",
          list_url));
    }
    found = entry.sha256;
  }
  if (!found) {
    return std::unexpected(list_error("the checksum list has no entry for '" + std::string(name) +
                                          "' (" + std::to_string(entries.size()) + " entries)",
                                      list_url));
  }
  return *found;
}

}  // namespace swarmcopy::engine
