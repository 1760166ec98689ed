#include "scheduler.h"

#include <algorithm>
#include <tuple>

namespace swarmcopy::engine {
namespace {

// Lower sorts first: a running job within its slice keeps its place, then waiting jobs in
// arrival order, then running jobs whose slice is over (they go to the back of their priority).
int turn_group(const SchedulerEntry& e, std::chrono::milliseconds slice,
               std::chrono::steady_clock::time_point now) {
  if (!e.running) return 1;
  return now - e.running_since < slice ? 0 : 2;
}

}  // namespace

SchedulerDecision plan_schedule(std::span<const SchedulerEntry> entries, std::uint32_t slots,
                                std::chrono::milliseconds time_slice,
                                std::chrono::steady_clock::time_point now) {
  SchedulerDecision decision;
  std::vector<const SchedulerEntry*> background;
  std::vector<const SchedulerEntry*> foreground_waiting;
  std::map<std::uint32_t, std::uint32_t> foreground_running;  // by owner
  for (const auto& e : entries) {
    if (e.priority != api::Priority::kForeground) {
      background.push_back(&e);
    } else if (e.running) {
      ++foreground_running[e.owner_uid];
    } else {
      foreground_waiting.push_back(&e);
    }
  }
  std::stable_sort(foreground_waiting.begin(), foreground_waiting.end(),
                   [](const auto* a, const auto* b) { return a->queue_seq < b->queue_seq; });
  const std::uint32_t foreground_per_user = std::max<std::uint32_t>(1, slots);
  for (const auto* e : foreground_waiting) {
    auto& running = foreground_running[e->owner_uid];
    if (running >= foreground_per_user) continue;
    ++running;
    decision.start.push_back(e->id);
  }
  auto key = [&](const SchedulerEntry* e) {
    const int group = turn_group(*e, time_slice, now);
    const auto order =
        group == 1 ? e->queue_seq
                   : static_cast<std::uint64_t>(e->running_since.time_since_epoch().count());
    return std::make_tuple(static_cast<int>(e->priority), group, order);
  };
  std::stable_sort(background.begin(), background.end(),
                   [&](const auto* a, const auto* b) { return key(a) < key(b); });

  const std::size_t chosen = std::min<std::size_t>(slots, background.size());
  bool someone_waits_outside = false;
  for (std::size_t i = 0; i < background.size(); ++i) {
    const auto& e = *background[i];
    const bool selected = i < chosen;
    if (selected && !e.running) decision.start.push_back(e.id);
    if (!selected && e.running) decision.preempt.push_back(e.id);
    if (!selected && !e.running) someone_waits_outside = true;
  }
  if (someone_waits_outside) {
    for (std::size_t i = 0; i < chosen; ++i) {
      const auto& e = *background[i];
      if (!e.running) continue;
      const auto slice_end = e.running_since + time_slice;
      if (slice_end > now && (!decision.next_review || slice_end < *decision.next_review)) {
        decision.next_review = slice_end;
      }
    }
  }
  return decision;
}

}  // namespace swarmcopy::engine
