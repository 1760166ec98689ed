// Scheduler: decides which jobs transfer now. Pure logic over a snapshot (no clock, no I/O),
// so it is tested with made-up times. The rules (job-model.md "Scheduling"):
// - FOREGROUND jobs start at once and do not take a transfer slot, but each user runs at most
//   `slots` of them at a time (at least one: a person is waiting), the rest wait in arrival
//   order: FOREGROUND is for a person waiting, not a way around the limit.
// - Background jobs (HIGH, NORMAL, LOW) share `slots`: a higher priority preempts a lower one.
// - Jobs of one priority take turns: a job that has run for a whole time slice yields its slot
//   to a waiting job of its priority.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_state.h"

namespace swarmcopy::engine {

struct SchedulerEntry {
  api::JobId id;
  api::Priority priority = api::Priority::kNormal;
  bool running = false;
  std::uint64_t queue_seq = 0;  // arrival order in the queue: lower waited longer
  std::uint32_t owner_uid = 0;
  std::chrono::steady_clock::time_point running_since{};
};

struct SchedulerDecision {
  std::vector<api::JobId> start;
  std::vector<api::JobId> preempt;  // running jobs that go back to QUEUED
  // When a time slice ends and the plan should be made again (nullopt: no need).
  std::optional<std::chrono::steady_clock::time_point> next_review;
};

SchedulerDecision plan_schedule(std::span<const SchedulerEntry> entries, std::uint32_t slots,
                                std::chrono::milliseconds time_slice,
                                std::chrono::steady_clock::time_point now);

}  // namespace swarmcopy::engine
