#include "notifier.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace swarmcopy::engine {

Notifier::Notifier() : thread_([this] { run(); }) {}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Notifier::post(std::function<void()> event) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(event));
  }
  wake_.notify_one();
}

void Notifier::run() {
  for (;;) {
    std::function<void()> event;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      event = std::move(queue_.front());
      queue_.pop_front();
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

}  // namespace swarmcopy::engine
