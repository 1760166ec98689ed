// validator(): adapts an `expected`-returning parser (parse_units.h) to a CLI11 check, so that a
// bad value is a usage error that says what is wrong.
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
        return parsed ? std::string() : parsed.error();
      },
      "", std::move(name));
}

}  // namespace swarmcopy::cli
