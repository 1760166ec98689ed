// JobCommand: `swarmcopy job VERB ...`, the job model over the daemon: create, add, resume,
// suspend, cancel, complete, show, list, watch, set. Owns the verbs' command lines (options,
// validation, --help text); each run finds the daemon (daemon_discovery.h: starting the
// user daemon on demand), connects (client::connect) and does one verb through api::Manager
// and api::Job. With --json every verb prints the job object (list: an array of them; watch:
// one per line) after acting.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "command.h"
#include "job_output.h"
#include "job_settings.h"
#include "swarmcopy/api/job.h"
#include "swarmcopy/api/manager.h"

namespace swarmcopy::cli {

class JobWaiter;

class JobCommand final : public Command {
 public:
  explicit JobCommand(CLI::App& app);
  bool chosen() const override { return command_->parsed(); }
  int run() override;

 private:
  enum class Verb {
    kCreate,
    kAdd,
    kResume,
    kSuspend,
    kCancel,
    kComplete,
    kTakeOwnership,
    kShow,
    kExplain,
    kList,
    kWatch,
    kSet
  };
  struct VerbCommand {
    Verb verb;
    CLI::App* command;
  };

  CLI::App* add_verb(Verb verb, const std::string& name, const std::string& description);
  void add_job_argument(CLI::App* verb);
  int usage_error(const std::string& message) const;
  int run_verb(Verb verb, api::Manager& manager, const JobOutput& output, JobWaiter* waiter,
               const std::vector<api::FileSpec>& files);
  // The files of `add`: URL PATH pairs, then --from's lines; a sentence when they are bad.
  std::expected<std::vector<api::FileSpec>, std::string> file_specs() const;
  // `error` with the job's id as its file when the engine named none: the error line then
  // ends with what it is about.
  static api::Error about(const api::Job& job, api::Error error);
  int add(api::Job& job, const JobOutput& output, const std::vector<api::FileSpec>& files);
  int explain(api::Job& job, const JobOutput& output);
  int set(api::Job& job, const JobOutput& output);

  CLI::App* command_;
  std::vector<VerbCommand> verbs_;
  CLI::App* chosen_verb_ = nullptr;

  // Shared by every verb: options of `job` that the verbs fall through to.
  std::string socket_;
  bool json_ = false;
  bool quiet_ = false;
  int verbosity_ = 0;

  std::string job_;  // JOB: an id or a unique prefix
  std::string name_;
  std::vector<std::string> file_args_;  // URL PATH [URL PATH ...]
  std::string from_;
  std::string sha256_;
  std::string checksums_;  // --checksums URL
  std::string metadata_;
  std::string mode_;
  bool all_ = false;
  JobSettings settings_;  // of `add` and `set`
};

}  // namespace swarmcopy::cli
