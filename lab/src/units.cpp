#include "units.h"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace swarmcopy::lab {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string unit = lower(std::string_view(end, text.data() + text.size() - end));
  int shift = 0;
  if (!unit.empty()) {
    static constexpr std::string_view kLetters = "kmgt";
    const size_t at = kLetters.find(unit[0]);
    const std::string_view rest = std::string_view(unit).substr(1);
    if (unit == "b") {
      shift = 0;
    } else if (at != std::string_view::npos &&
               (rest.empty() || rest == "b" || rest == "i" || rest == "ib")) {
      shift = 10 * static_cast<int>(at + 1);
    } else {
      return std::nullopt;
    }
  }
  if (number == 0 || number > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
    return std::nullopt;
  }
  return number << shift;
}

std::optional<double> parse_tc_rate(std::string_view text) {
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data() || !(number > 0)) return std::nullopt;
  const std::string unit = lower(std::string_view(end, text.data() + text.size() - end));
  static const std::array<std::pair<std::string_view, double>, 19> kUnits{{
      {"", 1},
      {"bit", 1},
      {"kbit", 1e3},
      {"mbit", 1e6},
      {"gbit", 1e9},
      {"tbit", 1e12},
      {"kibit", 1024.0},
      {"mibit", 1024.0 * 1024},
      {"gibit", 1024.0 * 1024 * 1024},
      {"tibit", 1024.0 * 1024 * 1024 * 1024},
      {"bps", 8},
      {"kbps", 8e3},
      {"mbps", 8e6},
      {"gbps", 8e9},
      {"tbps", 8e12},
      {"kibps", 8 * 1024.0},
      {"mibps", 8 * 1024.0 * 1024},
      {"gibps", 8 * 1024.0 * 1024 * 1024},
      {"tibps", 8 * 1024.0 * 1024 * 1024 * 1024},
  }};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return number * factor;
  }
  return std::nullopt;
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits{"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.{}f} {}", value,
                     value == static_cast<double>(static_cast<std::uint64_t>(value)) ? 0 : 1,
                     kUnits[unit]);
}

}  // namespace swarmcopy::lab
