// JobOutput: how a `swarmcopy job` verb reports. With --json: one JSON value per line on
// stdout (a job object, an array of them, or {"error": Error} on failure). Without: the
// human forms (job_text.h). Failures always print the one error line on stderr
// (`swarmcopy: error: <what> (<protocol> <code>): <file>`). Main thread.
#pragma once

#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_explanation.h"
#include "swarmcopy/api/job_info.h"

namespace swarmcopy::cli {

class JobOutput {
 public:
  explicit JobOutput(bool json) : json_(json) {}

  bool json() const { return json_; }
  // The job after a verb acted: its JSON object, or nothing (the verb was silent success).
  int acted(const api::JobInfo& info) const;
  // `job show`: the JSON object or the details text.
  int details(const api::JobInfo& info) const;
  // `job explain`: the JSON object or the text (explain_text.h).
  int explanation(const api::JobInfo& info, const std::vector<api::FileExplanation>& files) const;
  // `job list`: a JSON array or the table.
  int list(const std::vector<api::JobInfo>& jobs) const;
  // The JSON object alone (watch's lines); nothing without --json.
  void json_line(const api::JobInfo& info) const;
  // Prints the error line (and {"error": ...} with --json); returns kExitFailure.
  int failure(const api::Error& error) const;

 private:
  bool json_;
};

}  // namespace swarmcopy::cli
