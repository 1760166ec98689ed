#include "rate.h"

#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

namespace swarmcopy::harness {

api::Result<std::uint64_t> parse_rate(std::string_view rate) {
  auto bad = [&] {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                     "bad rate \"" + std::string(rate) +
                         "\": want a number and a tc unit (bit kbit mbit gbit tbit, bps kbps "
                         "mbps gbps tbps), e.g. 100mbit");
  };
  size_t digits = 0;
  while (digits < rate.size() && std::isdigit(static_cast<unsigned char>(rate[digits]))) ++digits;
  if (digits == 0 || digits > 12) return bad();
  std::uint64_t number = 0;
  std::from_chars(rate.data(), rate.data() + digits, number);
  std::string unit;
  for (char c : rate.substr(digits))
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 10> kUnits{{
      {"bit", 1},
      {"kbit", 1'000},
      {"mbit", 1'000'000},
      {"gbit", 1'000'000'000},
      {"tbit", 1'000'000'000'000},
      {"bps", 8},
      {"kbps", 8'000},
      {"mbps", 8'000'000},
      {"gbps", 8'000'000'000},
      {"tbps", 8'000'000'000'000},
  }};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) {
      if (number == 0 || number > UINT64_MAX / factor) return bad();
      return number * factor;
    }
  }
  return bad();
}

}  // namespace swarmcopy::harness
