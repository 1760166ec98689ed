#include "job_output.h"

#include "explain_text.h"

#include <cstdio>

#include <fmt/format.h>

#include "error_text.h"
#include "exit_code.h"
#include "job_json.h"
#include "job_text.h"
#include "printable.h"

namespace swarmcopy::cli {
namespace {

void print_line(const nlohmann::json& json) {
  fmt::print(stdout, "{}\n", json.dump());
  std::fflush(stdout);
}

}  // namespace

int JobOutput::acted(const api::JobInfo& info) const {
  if (json_) print_line(job_to_json(info));
  return kExitOk;
}

int JobOutput::details(const api::JobInfo& info) const {
  if (json_) {
    print_line(job_to_json(info));
  } else {
    fmt::print(stdout, "{}", job_details_text(info));
  }
  return kExitOk;
}

int JobOutput::explanation(const api::JobInfo& info,
                           const std::vector<api::FileExplanation>& files) const {
  if (json_) {
    print_line(explanation_json(info, files));
  } else {
    fmt::print(stdout, "{}", explanation_text(info, files));
  }
  return kExitOk;
}

int JobOutput::list(const std::vector<api::JobInfo>& jobs) const {
  if (json_) {
    print_line(jobs_to_json(jobs));
  } else {
    fmt::print(stdout, "{}", job_list_text(jobs));
  }
  return kExitOk;
}

void JobOutput::json_line(const api::JobInfo& info) const {
  if (json_) print_line(job_to_json(info));
}

int JobOutput::failure(const api::Error& error) const {
  fmt::print(stderr, "swarmcopy: error: {}\n", printable(error_text(error)));
  if (json_) print_line(nlohmann::json{{"error", error_to_json(error)}});
  return kExitFailure;
}

}  // namespace swarmcopy::cli
