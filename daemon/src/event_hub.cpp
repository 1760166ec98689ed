#include "event_hub.h"

#include <algorithm>

#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::daemon {
namespace {

ipc::Event to_ipc(const engine::JobEvent& event) {
  ipc::Event out;
  switch (event.type) {
    case engine::JobEvent::Type::kTransferred:
      out.type = ipc::Event::Type::kTransferred;
      break;
    case engine::JobEvent::Type::kError:
      out.type = ipc::Event::Type::kError;
      break;
    case engine::JobEvent::Type::kModification:
      out.type = ipc::Event::Type::kModification;
      break;
    case engine::JobEvent::Type::kFileTransferred:
      out.type = ipc::Event::Type::kFileTransferred;
      break;
  }
  out.job = event.job;
  out.owner_uid = event.owner_uid;
  out.notify_flags = event.notify_flags;
  out.error = event.error;
  out.file = event.file;
  return out;
}

}  // namespace

void EventHub::publish(const engine::JobEvent& event) {
  std::vector<std::shared_ptr<EventSubscriber>> targets;
  {
    std::lock_guard lock(mutex_);
    for (const auto& subscriber : subscribers_) {
      if (subscriber->filter().matches(event.owner_uid, event.job)) targets.push_back(subscriber);
    }
  }
  if (targets.empty()) return;
  const std::string line =
      ipc::to_json(to_ipc(event)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
      "\n";
  for (const auto& subscriber : targets) subscriber->push(line);
}

void EventHub::subscribe(std::shared_ptr<EventSubscriber> subscriber) {
  std::lock_guard lock(mutex_);
  subscribers_.push_back(std::move(subscriber));
}

void EventHub::unsubscribe(const EventSubscriber* subscriber) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [&](const auto& s) { return s.get() == subscriber; });
}

std::size_t EventHub::subscriber_count() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

}  // namespace swarmcopy::daemon
