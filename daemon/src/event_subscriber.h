// EventSubscriber: the queue of one GET /v1/events connection. The hub pushes event lines from
// the engine's notification thread; the connection's session pops them on its own strand and
// writes them. The queue is bounded: a subscriber that does not read (its socket buffer full,
// its queue at the limit) is marked dropped and its session closes the connection — the
// notification thread never waits for a client. Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "event_filter.h"

namespace swarmcopy::daemon {

class EventSubscriber {
 public:
  // `wake` is called (from the pushing thread, without the lock) when the queue goes from empty
  // to non-empty or the subscriber is dropped; it must only post work, never block.
  EventSubscriber(EventFilter filter, std::size_t limit, std::function<void()> wake)
      : filter_(filter), limit_(limit), wake_(std::move(wake)) {}

  const EventFilter& filter() const { return filter_; }

  // Queues one line, or drops the subscriber when the queue is full.
  void push(const std::string& line);
  // Everything queued so far (empty when none), and whether the subscriber was dropped.
  std::vector<std::string> pop_all(bool& dropped);
  // Stops deliveries (the connection closed).
  void close();

 private:
  const EventFilter filter_;
  const std::size_t limit_;
  const std::function<void()> wake_;
  std::mutex mutex_;
  std::deque<std::string> queue_;
  bool dropped_ = false;
  bool closed_ = false;
};

}  // namespace swarmcopy::daemon
