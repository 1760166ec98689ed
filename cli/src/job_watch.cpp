#include "job_watch.h"

#include <unistd.h>

#include <optional>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "error_text.h"
#include "exit_code.h"
#include "job_json.h"
#include "printable.h"
#include "progress_bar.h"

namespace swarmcopy::cli {
namespace {

// The progress poll between notifications (progress alone sends none by default).
constexpr std::chrono::milliseconds kPollInterval{200};
// How long an unreachable daemon is waited for before watching gives up: a restart, an
// upgrade. Past it the job is as lost to us as the daemon.
constexpr std::chrono::seconds kUnavailableGrace{30};

}  // namespace

int JobWatch::run() {
  ProgressBar bar(STDERR_FILENO, progress_bar_);
  // Woken by TRANSFERRED and ERROR (the job's own notify flags decide; watching does not
  // change them). A final job has nothing more to tell: the first read below reports it.
  if (auto set = job_->set_notify_interface(waiter_.callback()); !set) {
    if (set.error().kind != api::ErrorKind::kJobIsFinal) return output_.failure(set.error());
  }
  nlohmann::json last_printed;
  std::optional<std::chrono::steady_clock::time_point> unavailable_since;
  std::string last_transient;
  for (;;) {
    auto info = job_->info();
    if (!info) {
      const auto now = std::chrono::steady_clock::now();
      if (info.error().kind != api::ErrorKind::kUnavailable ||
          (unavailable_since && now - *unavailable_since > kUnavailableGrace)) {
        bar.finish();
        return output_.failure(info.error());
      }
      if (!unavailable_since) {
        unavailable_since = now;
        spdlog::warn("{}; waiting for it to come back", info.error().describe());
      }
    } else {
      unavailable_since.reset();
      if (output_.json()) {
        auto json = job_to_json(*info);
        if (json != last_printed) {
          output_.json_line(*info);
          last_printed = std::move(json);
        }
      }
      bar.update(*info, std::chrono::steady_clock::now());
      switch (info->state) {
        case api::JobState::kTransferred:
        case api::JobState::kAcknowledged:
          bar.finish();
          return kExitOk;
        case api::JobState::kError:
          bar.finish();
          fmt::print(stderr, "swarmcopy: error: {}\n",
                     info->error ? printable(error_text(*info->error))
                                 : "the job failed without saying why (a bug in swarmcopy: "
                                   "please report it): " +
                                       info->id.to_string());
          return kExitFailure;
        case api::JobState::kCancelled:
          bar.finish();
          fmt::print(stderr, "swarmcopy: error: the job was cancelled: {}\n", info->id.to_string());
          return kExitFailure;
        case api::JobState::kSuspended:
          bar.finish();
          return kExitSuspended;
        case api::JobState::kTransientError:
          if (info->error && info->error->describe() != last_transient) {
            last_transient = info->error->describe();
            spdlog::info("retrying after a transient error: {}", last_transient);
          }
          break;
        default:
          break;
      }
    }
    if (waiter_.wait(kPollInterval).event == JobWaiter::Event::kSignal) {
      bar.finish();
      return kExitInterrupted;
    }
  }
}

}  // namespace swarmcopy::cli
