// EventFilter: which events one GET /v1/events subscriber receives: the jobs of one owner (or
// every owner, for an administrator's all=1), optionally only one job. Plain value type.
#pragma once

#include <cstdint>
#include <optional>

#include "swarmcopy/api/job_id.h"

namespace swarmcopy::daemon {

struct EventFilter {
  std::uint32_t owner_uid = 0;
  bool all_owners = false;
  std::optional<api::JobId> job;

  bool matches(std::uint32_t event_owner, const api::JobId& event_job) const {
    if (!all_owners && event_owner != owner_uid) return false;
    return !job || *job == event_job;
  }
};

}  // namespace swarmcopy::daemon
