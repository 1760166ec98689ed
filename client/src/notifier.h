// Notifier: the client-owned notification thread. Callbacks run here, one at a time and in
// the order the daemon sent their events, so a slow or re-entrant callback (one that calls
// back into the job, which is another daemon call) never stalls the event thread's reading.
// post() may be called from any thread; stop() delivers what is queued, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace swarmcopy::client {

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

}  // namespace swarmcopy::client
