// validator(): adapts an `expected`-returning parser (parse_units.h, or an api:: check whose
// error is an api::Error) to a CLI11 check, so that a bad value is a usage error that says what
// is wrong.
#pragma once

#include <string>
#include <utility>

#include <CLI/CLI.hpp>

namespace swarmcopy::cli {

template <class Parse>
CLI::Validator validator(Parse parse, std::string name) {
  return CLI::Validator(
      [parse](std::string& text) {
        auto parsed = parse(text);
        if (parsed) return std::string();
        if constexpr (requires { parsed.error().message; }) {
          return parsed.error().message;
        } else {
          return std::string(parsed.error());
        }
      },
      "", std::move(name));
}

}  // namespace swarmcopy::cli
