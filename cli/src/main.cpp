// swarmcopy: the command-line front end. Each subcommand is a Command (command.h); main only
// parses and dispatches, so later subcommands (job, publish, cache, status) are one line here.
#include <signal.h>

#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

#include "cache_command.h"
#include "command.h"
#include "exit_code.h"
#include "get_command.h"
#include "help_formatter.h"
#include "job_command.h"
#include "publish_command.h"
#include "status_command.h"
#include "usage.h"

int main(int argc, char** argv) {
  using namespace swarmcopy::cli;
  // A closed stdout (swarmcopy get --json | head -c0) must be an I/O error, not a silent death.
  ::signal(SIGPIPE, SIG_IGN);

  CLI::App app("swarmcopy: peer-assisted background downloads", "swarmcopy");
  app.set_version_flag("--version", "swarmcopy " SWARMCOPY_VERSION);
  app.require_subcommand(1);
  app.failure_message(failure_message);
  // Before the subcommands: each copies it (verbs' --help lists the options they inherit).
  app.formatter(std::make_shared<HelpFormatter>());

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(std::make_unique<GetCommand>(app));
  commands.push_back(std::make_unique<JobCommand>(app));
  commands.push_back(std::make_unique<PublishCommand>(app));
  commands.push_back(std::make_unique<CacheCommand>(app));
  commands.push_back(std::make_unique<StatusCommand>(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" with exit code 0 in CLI11.
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }
  for (const auto& command : commands) {
    if (command->chosen()) return command->run();
  }
  return kExitUsage;  // unreachable: require_subcommand(1)
}
