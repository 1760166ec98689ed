#include "event_subscriber.h"

namespace swarmcopy::daemon {

void EventSubscriber::push(const std::string& line) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || dropped_) return;
    if (queue_.size() >= limit_) {
      dropped_ = true;
      queue_.clear();
      wake = true;
    } else {
      wake = queue_.empty();
      queue_.push_back(line);
    }
  }
  if (wake) wake_();
}

std::vector<std::string> EventSubscriber::pop_all(bool& dropped) {
  std::lock_guard lock(mutex_);
  dropped = dropped_;
  std::vector<std::string> lines(std::make_move_iterator(queue_.begin()),
                                 std::make_move_iterator(queue_.end()));
  queue_.clear();
  return lines;
}

void EventSubscriber::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  queue_.clear();
}

}  // namespace swarmcopy::daemon
