// NameTable: the stable text names of an enum (part of the JSON / IPC contract), looked up
// both ways. Private to api/.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace swarmcopy::api {

template <class Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

template <class Enum, std::size_t N>
std::string_view name_of(Enum value, const NameTable<Enum, N>& names,
                         std::string_view unknown = "unknown") {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return unknown;
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(std::string_view text, const NameTable<Enum, N>& names) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace swarmcopy::api
