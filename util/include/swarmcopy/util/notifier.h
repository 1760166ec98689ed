// Notifier: a notification thread. An application's callbacks run here, one at a time and in
// the order they were posted, so a slow or re-entrant callback (one that calls back into the
// job) never stalls the thread that produced the event: the engine thread, or the client's
// event reader. post() may be called from any thread; stop() delivers what is queued, then
// joins. A callback that throws is logged, and the thread goes on.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace swarmcopy::util {

class Notifier {
 public:
  Notifier();
  ~Notifier() { stop(); }
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void post(std::function<void()> event);
  // Idempotent. Called from a callback itself (the application dropped its last manager
  // there), it cannot join its own thread: the thread then finishes the queue and ends by
  // itself (its state is shared with it, so it outlives this object safely).
  void stop();

 private:
  struct Queue {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::function<void()>> events;
    bool stopping = false;
  };
  static void run(const std::shared_ptr<Queue>& queue);

  std::shared_ptr<Queue> queue_;
  std::thread thread_;
};

}  // namespace swarmcopy::util
