#include "parse_units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace swarmcopy::cli {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with_and_strip(std::string& text, std::string_view suffix) {
  if (text.size() < suffix.size() || !text.ends_with(suffix)) return false;
  text.resize(text.size() - suffix.size());
  return true;
}

// RFC 9110 token characters: what a header name may contain.
bool is_token_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

std::expected<std::uint64_t, std::string> parse_rate(std::string_view text) {
  std::string rest = lower(text);
  const auto bad = [&] {
    return std::unexpected(
        fmt::format("invalid rate '{}': expected a number with an optional K, M, G or T suffix "
                    "(like 500K or 1.5M)",
                    text));
  };
  ends_with_and_strip(rest, "/s");
  if (!ends_with_and_strip(rest, "ib")) ends_with_and_strip(rest, "b");
  double multiplier = 1;
  if (!rest.empty()) {
    switch (rest.back()) {
      case 'k':
        multiplier = 1024.0;
        break;
      case 'm':
        multiplier = 1024.0 * 1024;
        break;
      case 'g':
        multiplier = 1024.0 * 1024 * 1024;
        break;
      case 't':
        multiplier = 1024.0 * 1024 * 1024 * 1024;
        break;
      default:
        break;
    }
    if (multiplier != 1) rest.pop_back();
  }
  // from_chars rather than stod: no locale, no leading blanks, no "inf"/"nan" surprises.
  if (rest.empty() || !(std::isdigit(static_cast<unsigned char>(rest.front())) || rest[0] == '.')) {
    return bad();
  }
  double number = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
  if (ec != std::errc() || end != rest.data() + rest.size() || !std::isfinite(number)) return bad();
  const double bytes = std::round(number * multiplier);
  if (bytes >= static_cast<double>(std::numeric_limits<std::uint64_t>::max())) return bad();
  if (number > 0 && bytes < 1) {
    return std::unexpected(fmt::format("invalid rate '{}': less than 1 byte per second", text));
  }
  return static_cast<std::uint64_t>(bytes);
}

std::expected<std::chrono::seconds, std::string> parse_duration(std::string_view text) {
  std::string rest = lower(text);
  const auto bad = [&] {
    return std::unexpected(
        fmt::format("invalid duration '{}': expected seconds, or a number with s, m, h or d "
                    "(like 90s, 10m, 2h, 3d)",
                    text));
  };
  std::int64_t unit = 1;  // a plain number is seconds
  constexpr std::pair<char, std::int64_t> kUnits[] = {
      {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  for (const auto& [suffix, seconds] : kUnits) {
    if (!rest.empty() && rest.back() == suffix) {
      unit = seconds;
      rest.pop_back();
      break;
    }
  }
  // Digits only: no sign, no blanks, no fraction (write 90m, not 1.5h: whole seconds count).
  if (rest.empty() || rest.find_first_not_of("0123456789") != std::string::npos) return bad();
  std::int64_t number = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
  if (ec != std::errc() || end != rest.data() + rest.size() ||
      number > std::numeric_limits<std::int64_t>::max() / unit) {
    return bad();
  }
  return std::chrono::seconds(number * unit);
}

std::expected<std::string, std::string> parse_sha256(std::string_view text) {
  if (text.size() != 64) {
    return std::unexpected(
        fmt::format("invalid SHA-256 '{}': expected 64 hex digits, got {}", text, text.size()));
  }
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return std::unexpected(fmt::format("invalid SHA-256 '{}': '{}' is not a hex digit", text, c));
    }
  }
  return lower(text);
}

std::expected<std::string, std::string> parse_header(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::unexpected(fmt::format("invalid header '{}': expected 'Name: value'", text));
  }
  for (char c : text.substr(0, colon)) {
    if (!is_token_char(c)) {
      return std::unexpected(fmt::format("invalid header name in '{}'", text));
    }
  }
  // A line break would let the value smuggle a second header or a second request.
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    return std::unexpected(fmt::format("invalid header '{}': contains a line break", text));
  }
  return std::string(text);
}

std::expected<api::ProxySettings, std::string> parse_proxy(std::string_view text) {
  api::ProxySettings proxy;
  if (text == "system") return proxy;
  if (text == "none") {
    proxy.usage = api::ProxyUsage::kNone;
    return proxy;
  }
  if (auto checked = api::check_proxy_url(text); !checked) {
    return std::unexpected(checked.error().message + " (or system, none)");
  }
  proxy.usage = api::ProxyUsage::kOverride;
  proxy.proxy = std::string(text);
  return proxy;
}

std::expected<std::vector<std::string>, std::string> parse_proxy_bypass(std::string_view text) {
  std::vector<std::string> hosts;
  while (true) {
    const auto comma = text.find(',');
    auto host = text.substr(0, comma);
    while (!host.empty() && host.front() == ' ') host.remove_prefix(1);
    while (!host.empty() && host.back() == ' ') host.remove_suffix(1);
    if (auto checked = api::check_proxy_bypass(host); !checked) {
      return std::unexpected(checked.error().message);
    }
    hosts.emplace_back(host);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return hosts;
}

namespace {

struct FlagName {
  std::string_view name;
  api::NotifyFlags flag;
};
constexpr FlagName kFlagNames[] = {
    {"transferred", api::NotifyFlags::kJobTransferred},
    {"error", api::NotifyFlags::kJobError},
    {"disable", api::NotifyFlags::kDisable},
    {"modification", api::NotifyFlags::kJobModification},
    {"file_transferred", api::NotifyFlags::kFileTransferred},
};

}  // namespace

std::expected<api::NotifyFlags, std::string> parse_notify_flags(std::string_view text) {
  const auto bad = [&] {
    return std::unexpected(fmt::format(
        "invalid notify flags '{}': expected a number (0x1f at most) or names joined by ',': "
        "transferred, error, modification, file_transferred, disable, none",
        text));
  };
  const std::string value = lower(text);
  if (value.empty()) return bad();
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    const bool hex = value.starts_with("0x");
    std::uint32_t bits = 0;
    const char* begin = value.data() + (hex ? 2 : 0);
    const char* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(begin, end, bits, hex ? 16 : 10);
    if (ec != std::errc() || ptr != end || begin == end || (bits & ~api::kAllNotifyBits) != 0) {
      return bad();
    }
    return static_cast<api::NotifyFlags>(bits);
  }
  api::NotifyFlags flags = api::NotifyFlags::kNone;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto end = value.find_first_of(",+", start);
    std::string name =
        value.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (char& c : name) c = c == '-' ? '_' : c;
    bool known = name == "none";
    for (const auto& entry : kFlagNames) {
      if (name == entry.name) {
        flags = flags | entry.flag;
        known = true;
      }
    }
    if (!known) return bad();
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return flags;
}

std::string notify_flags_names(api::NotifyFlags flags) {
  std::string names;
  for (const auto& entry : kFlagNames) {
    if (!api::has(flags, entry.flag)) continue;
    if (!names.empty()) names += ',';
    names += entry.name;
  }
  return names.empty() ? "none" : names;
}

namespace {

std::optional<unsigned> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned port = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return std::nullopt;
  return port;
}

}  // namespace

std::expected<std::string, std::string> parse_peer(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::unexpected("expected HOST:PORT, got \"" + std::string(text) + "\"");
  }
  const auto port = parse_port(text.substr(colon + 1));
  if (!port || *port == 0) {
    return std::unexpected("bad port in \"" + std::string(text) + "\" (1-65535)");
  }
  return std::string(text);
}

std::expected<std::string, std::string> parse_listen(std::string_view text) {
  const auto colon = text.rfind(':');
  const auto port_text = colon == std::string_view::npos ? text : text.substr(colon + 1);
  const auto port = parse_port(port_text);
  if (!port) {
    return std::unexpected("expected PORT or ADDRESS:PORT (port 0-65535), got \"" +
                           std::string(text) + "\"");
  }
  if (colon == std::string_view::npos) return "0.0.0.0:" + std::to_string(*port);
  if (colon == 0)
    return std::unexpected("missing address before ':' in \"" + std::string(text) + "\"");
  return std::string(text);
}

}  // namespace swarmcopy::cli
