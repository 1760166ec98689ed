// JobPatch: settings of a job to change at once (Job::update): each one optional, the absent
// ones stay as they are. Applied whole or not at all, in one commit. Plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/job_state.h"
#include "swarmcopy/api/notify_flags.h"
#include "swarmcopy/api/proxy_settings.h"

namespace swarmcopy::api {

struct JobPatch {
  std::optional<Priority> priority;
  std::optional<std::chrono::seconds> no_progress_timeout;
  std::optional<NotifyFlags> notify_flags;
  std::optional<std::vector<std::string>> http_headers;  // replaces the whole list
  std::optional<std::uint64_t> max_bytes_per_second;     // 0 removes the cap
  std::optional<std::string> display_name;               // SetDisplayName
  std::optional<std::string> description;                // SetDescription
  // SetMinimumRetryDelay: the first wait after a transient error; later ones double from it.
  std::optional<std::chrono::milliseconds> min_retry_delay;
  // SetNotifyCmdLine: a program (absolute path) and its arguments, run as the job's owner when
  // the job becomes TRANSFERRED or ERROR; an empty list removes it.
  std::optional<std::vector<std::string>> notify_cmd;
  // SetProxySettings: usage, proxy and bypass list replaced together.
  std::optional<ProxySettings> proxy;
  bool empty() const {
    return !priority && !no_progress_timeout && !notify_flags && !http_headers &&
           !max_bytes_per_second && !display_name && !description && !min_retry_delay &&
           !notify_cmd && !proxy;
  }
  bool operator==(const JobPatch&) const = default;
};

}  // namespace swarmcopy::api
