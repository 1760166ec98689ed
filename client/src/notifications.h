// Notifications: the Callbacks of one RemoteManager's jobs and the daemon events that feed
// them. The first callback set starts the event thread, which holds GET /v1/events open
// (reconnecting, with a short backoff, whenever the daemon goes away) and hands each event
// of a job that has a callback to the Notifier, filtered by the event's notify flags exactly
// as the engine filters (api::wants). After a reconnect it catches up: a job that became
// TRANSFERRED or ERROR while the stream was down gets the notification it missed (each
// transfer is announced once). Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "daemon_rpc.h"
#include "swarmcopy/api/callback.h"
#include "swarmcopy/api/job.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/util/notifier.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::ipc {
struct Event;
}

namespace swarmcopy::client {

class Notifications {
 public:
  // `make_job` gives the handle a callback receives (nullptr once the manager is gone).
  using JobFactory = std::function<std::shared_ptr<api::Job>(const api::JobId&)>;

  Notifications(std::shared_ptr<DaemonRpc> rpc, bool all_users, JobFactory make_job);
  ~Notifications() { stop(); }
  Notifications(const Notifications&) = delete;
  Notifications& operator=(const Notifications&) = delete;

  // Sets (nullptr: clears) the job's callback. The first one starts the event thread and
  // waits until the stream is open, so no event after this returns is missed; an error if the
  // stream could not be opened within the call timeout.
  api::Result<void> set(const api::JobId& job, std::shared_ptr<api::Callback> callback);
  std::shared_ptr<api::Callback> get(const api::JobId& job) const;

  // Ends the event thread and the notification thread. Idempotent.
  void stop();

 private:
  struct Entry {
    std::shared_ptr<api::Callback> callback;
    bool transferred_announced = false;  // job_transferred was delivered (or seen) once
    std::optional<api::Error> last_error;
  };

  void run();
  bool wait_before_retry(std::chrono::milliseconds delay);
  void dispatch(const ipc::Event& event);
  void catch_up();
  void post(const api::JobId& id, std::function<void(api::Callback&, api::Job&)> call,
            std::shared_ptr<api::Callback> callback);

  const std::shared_ptr<DaemonRpc> rpc_;
  const std::string target_;
  const JobFactory make_job_;
  util::UniqueFd stop_fd_;  // eventfd: readable once stop() was called

  mutable std::mutex mutex_;
  std::condition_variable state_changed_;
  std::unordered_map<api::JobId, Entry> entries_;
  bool started_ = false;
  bool stopped_ = false;
  bool connected_ = false;
  std::optional<api::Error> last_failure_;  // why the stream is not open, for set()
  std::uint64_t attempts_ = 0;              // connection attempts so far

  std::unique_ptr<util::Notifier> notifier_;  // made with the event thread
  std::thread thread_;
};

}  // namespace swarmcopy::client
