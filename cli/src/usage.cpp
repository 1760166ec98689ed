#include "usage.h"

#include <fmt/format.h>

namespace swarmcopy::cli {
namespace {

// "swarmcopy get": the names from the app down to `command`.
std::string full_name(const CLI::App& command) {
  std::string name = command.get_name();
  for (const CLI::App* parent = command.get_parent(); parent != nullptr;
       parent = parent->get_parent()) {
    name = parent->get_name() + " " + name;
  }
  return name;
}

}  // namespace

std::string usage_error_text(const CLI::App& command, std::string_view message) {
  const std::string name = full_name(command);
  return fmt::format("{}: {}\n{}Run '{} --help' for more information.\n", name, message,
                     CLI::Formatter().make_usage(&command, name), name);
}

std::string failure_message(const CLI::App* app, const CLI::Error& error) {
  const CLI::App* command = app;
  while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
  return usage_error_text(*command, error.what());
}

}  // namespace swarmcopy::cli
