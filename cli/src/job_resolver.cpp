#include "job_resolver.h"

#include <cctype>
#include <vector>

#include "job_reference.h"

namespace swarmcopy::cli {
namespace {

api::Error argument_error(api::ErrorKind kind, std::string message, const std::string& text) {
  return api::Error{api::ErrorContext::kCaller, kind, 0,
                    std::move(message),         text, api::Protocol::kNone};
}

}  // namespace

api::Result<std::shared_ptr<api::Job>> resolve_job(api::Manager& manager, const std::string& text) {
  std::string prefix;
  for (char c : text) prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto id = api::JobId::parse(prefix)) return manager.get_job(*id);

  // Short prefixes are refused here too, not only by the command line: any caller of
  // resolve_job acts on the job it returns, and "0" matches a job by chance.
  if (prefix.size() < kMinJobPrefix) {
    return std::unexpected(
        argument_error(api::ErrorKind::kInvalidArgument, parse_job_reference(text).error(), text));
  }
  const bool plausible =
      prefix.size() < 36 && prefix.find_first_not_of("0123456789abcdef-") == std::string::npos;
  if (!plausible) {
    return std::unexpected(
        argument_error(api::ErrorKind::kInvalidArgument, "not a job id or a prefix of one", text));
  }
  auto jobs = manager.job_infos();
  if (!jobs) return std::unexpected(jobs.error());
  std::vector<api::JobId> matches;
  for (const auto& job : *jobs) {
    if (job.id.to_string().starts_with(prefix)) matches.push_back(job.id);
  }
  if (matches.empty()) {
    return std::unexpected(argument_error(api::ErrorKind::kNotFound, "no such job", text));
  }
  if (matches.size() > 1) {
    return std::unexpected(argument_error(
        api::ErrorKind::kInvalidArgument,
        "ambiguous job prefix: " + std::to_string(matches.size()) + " jobs match", text));
  }
  return manager.get_job(matches.front());
}

}  // namespace swarmcopy::cli
