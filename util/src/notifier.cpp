#include "swarmcopy/util/notifier.h"

#include <exception>

#include <spdlog/spdlog.h>

namespace swarmcopy::util {

Notifier::Notifier()
    : queue_(std::make_shared<Queue>()), thread_([queue = queue_] { run(queue); }) {}

void Notifier::stop() {
  {
    std::lock_guard lock(queue_->mutex);
    queue_->stopping = true;
  }
  queue_->wake.notify_one();
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

void Notifier::post(std::function<void()> event) {
  {
    std::lock_guard lock(queue_->mutex);
    if (queue_->stopping) return;
    queue_->events.push_back(std::move(event));
  }
  queue_->wake.notify_one();
}

void Notifier::run(const std::shared_ptr<Queue>& queue) {
  for (;;) {
    std::function<void()> event;
    {
      std::unique_lock lock(queue->mutex);
      queue->wake.wait(lock, [&] { return queue->stopping || !queue->events.empty(); });
      if (queue->events.empty()) return;  // stopping and drained
      event = std::move(queue->events.front());
      queue->events.pop_front();
    }
    // An application's callback must not take the notification thread down with it.
    try {
      event();
    } catch (const std::exception& e) {
      spdlog::error("a job callback threw: {}", e.what());
    } catch (...) {
      spdlog::error("a job callback threw a non-standard exception");
    }
  }
}

}  // namespace swarmcopy::util
