// JobSettings: the options of `job add` and `job set` that change a job's settings, and the
// one api::JobPatch they make: every setting the daemon's PATCH accepts can be set from the
// command line, and all of one command's changes land in one commit (all or none).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "swarmcopy/api/job_patch.h"

namespace swarmcopy::cli {

class JobSettings {
 public:
  // Adds the options to `verb`. One JobSettings may serve several verbs: only one is parsed.
  void add_options(CLI::App* verb);
  // Names for a usage error when a verb needs at least one of them.
  static const char* option_names();
  // The settings given on `verb`'s command line (validated there: this cannot fail).
  api::JobPatch patch(const CLI::App& verb) const;

 private:
  std::string priority_;
  std::string no_progress_timeout_;
  std::string notify_;
  std::string display_name_;
  std::string description_;
  std::string min_retry_delay_;
  std::vector<std::string> headers_;
  bool no_headers_ = false;
  std::string limit_rate_;
  std::string notify_cmd_;
  std::vector<std::string> notify_args_;
  bool no_notify_cmd_ = false;
  std::string proxy_;
  std::string proxy_bypass_;
};

}  // namespace swarmcopy::cli
