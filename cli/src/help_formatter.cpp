#include "help_formatter.h"

#include <vector>

namespace swarmcopy::cli {

std::string HelpFormatter::make_help(const CLI::App* app, std::string name,
                                     CLI::AppFormatMode mode) const {
  const CLI::App* parent = app->get_parent();
  if (mode != CLI::AppFormatMode::Normal || parent == nullptr || !app->get_fallthrough()) {
    return CLI::Formatter::make_help(app, std::move(name), mode);
  }
  // The parent's named options, without its --help (the verb has its own).
  const std::vector<const CLI::Option*> inherited =
      parent->get_options([parent](const CLI::Option* option) {
        return option->nonpositional() && !option->get_group().empty() &&
               option != parent->get_help_ptr() && option != parent->get_help_all_ptr();
      });
  // CLI::Formatter::make_help's parts, with the inherited group before the subcommands and
  // the footer.
  std::string help = make_description(app);
  help += make_usage(app, name);
  help += make_positionals(app);
  help += make_groups(app, mode);
  if (!inherited.empty()) {
    help += make_group(
        "Options of '" + parent->get_name() + "' (before or after '" + app->get_name() + "')",
        false, inherited);
  }
  help += make_subcommands(app, mode);
  help += '\n' + make_footer(app);
  return help;
}

}  // namespace swarmcopy::cli
