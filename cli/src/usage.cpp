#include "usage.h"

#include <vector>

#include <fmt/format.h>

#include "suggest.h"

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

// The names a word on the command line of `command` could have meant: the options of it and
// of the commands above it (a verb with fallthrough takes those too), and its verbs.
std::vector<std::string> known_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
    for (const CLI::Option* option :
         app->get_options([](const CLI::Option* option) { return option->nonpositional(); })) {
      for (const auto& name : option->get_lnames()) names.push_back("--" + name);
      for (const auto& name : option->get_snames()) names.push_back("-" + name);
    }
  }
  for (const CLI::App* verb : command.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(verb->get_name());
  }
  return names;
}

// "\n--jsn: did you mean --json?" for each word left over that is close to a known name.
std::string suggestions(const CLI::App& app, const CLI::App& command) {
  const auto names = known_names(command);
  std::string text;
  for (const auto& word : app.remaining(/*recurse=*/true)) {
    if (auto name = closest_name(word, names)) {
      text += fmt::format("\n{}: did you mean {}?", word, *name);
    }
  }
  return text;
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
  return usage_error_text(*command, error.what() + suggestions(*app, *command));
}

}  // namespace swarmcopy::cli
