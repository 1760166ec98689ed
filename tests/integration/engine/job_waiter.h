// JobWaiter: a Callback that records every event of a job and lets a test wait, with a
// deadline, until the job reaches a state (woken by the job's own modification events, so no
// polling with sleeps). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "swarmcopy/api/callback.h"
#include "swarmcopy/api/job.h"

namespace swarmcopy::test {

class JobWaiter : public api::Callback {
 public:
  // Installs a waiter on `job` with every notification turned on.
  static std::shared_ptr<JobWaiter> attach(api::Job& job) {
    auto waiter = std::make_shared<JobWaiter>();
    (void)job.set_notify_flags(api::NotifyFlags::kJobTransferred | api::NotifyFlags::kJobError |
                               api::NotifyFlags::kJobModification |
                               api::NotifyFlags::kFileTransferred);
    (void)job.set_notify_interface(waiter);
    return waiter;
  }

  void job_transferred(api::Job&) override {
    record([this] { ++transferred_; });
  }
  void job_error(api::Job&, const api::Error& error) override {
    record([&] { errors_.push_back(error); });
  }
  void job_modification(api::Job&) override {
    record([this] { ++modifications_; });
  }
  void file_transferred(api::Job&, const api::FileStatus& file) override {
    record([&] { files_.push_back(file); });
  }

  // Waits until `done(info)` holds (checked now and after every event); returns the last info.
  api::JobInfo wait_until(api::Job& job, const std::function<bool(const api::JobInfo&)>& done,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (;;) {
      const auto seen = events_;
      lock.unlock();
      auto info = job.info();
      const bool finished = info && done(*info);  // may read this waiter's counters
      lock.lock();
      if (finished) return *info;
      // Progress without a state change sends no event: look again every 100 ms.
      const auto wake =
          std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
      wake_.wait_until(lock, wake, [&] { return events_ != seen; });
      if (std::chrono::steady_clock::now() >= deadline) return info.value_or(api::JobInfo{});
    }
  }

  api::JobInfo wait_for_state(api::Job& job, api::JobState state,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    return wait_until(
        job, [state](const api::JobInfo& i) { return i.state == state; }, timeout);
  }

  int transferred() const {
    std::lock_guard lock(mutex_);
    return transferred_;
  }
  int modifications() const {
    std::lock_guard lock(mutex_);
    return modifications_;
  }
  std::vector<api::Error> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }
  std::vector<api::FileStatus> files() const {
    std::lock_guard lock(mutex_);
    return files_;
  }

 private:
  template <class F>
  void record(F&& change) {
    {
      std::lock_guard lock(mutex_);
      change();
      ++events_;
    }
    wake_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t events_ = 0;
  int transferred_ = 0;
  int modifications_ = 0;
  std::vector<api::Error> errors_;
  std::vector<api::FileStatus> files_;
};

}  // namespace swarmcopy::test
