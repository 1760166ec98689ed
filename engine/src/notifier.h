// Notifier: delivers Callback events on its own thread, in order, so that a slow or
// re-entrant callback (one that calls back into the manager) never blocks the engine thread.
// post() may be called from any thread; the destructor delivers what is queued, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace swarmcopy::engine {

class Notifier {
 public:
  Notifier();
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void post(std::function<void()> event);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace swarmcopy::engine
