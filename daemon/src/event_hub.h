// EventHub: fans the engine's job events (Service::set_observer) out to GET /v1/events
// subscribers. Each event is encoded once (ipc::Event, one JSON line) and offered to every
// subscriber whose filter matches (owner uid, or all for an administrator; optionally one job).
// publish() runs on the engine's notification thread and never blocks on a client: each
// subscriber has a bounded queue (EventSubscriber). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "event_subscriber.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::daemon {

class EventHub {
 public:
  void publish(const engine::JobEvent& event);
  void subscribe(std::shared_ptr<EventSubscriber> subscriber);
  void unsubscribe(const EventSubscriber* subscriber);
  std::size_t subscriber_count() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<EventSubscriber>> subscribers_;
};

}  // namespace swarmcopy::daemon
