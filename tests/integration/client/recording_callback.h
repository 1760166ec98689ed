// RecordingCallback: a Callback that records every notification (what, for which job, on
// which thread) and lets a test wait, with a deadline, for a number of them or for a job
// state (re-reading the job after every notification and every 100 ms, for progress that
// notifies nothing). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "swarmcopy/api/callback.h"
#include "swarmcopy/api/job.h"

namespace swarmcopy::test {

class RecordingCallback : public api::Callback {
 public:
  struct Note {
    std::string what;  // "transferred", "error", "modification", "file_transferred"
    api::JobId job;
    std::optional<api::Error> error;
    std::optional<api::FileStatus> file;
    std::thread::id thread;
  };

  void job_transferred(api::Job& job) override { record("transferred", job.id()); }
  void job_error(api::Job& job, const api::Error& error) override {
    record("error", job.id(), error);
  }
  void job_modification(api::Job& job) override { record("modification", job.id()); }
  void file_transferred(api::Job& job, const api::FileStatus& file) override {
    record("file_transferred", job.id(), std::nullopt, file);
  }

  std::vector<Note> notes() const {
    std::lock_guard lock(mutex_);
    return notes_;
  }
  std::size_t count(const std::string& what) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& note : notes_) n += note.what == what ? 1 : 0;
    return n;
  }
  // What was notified, in order ("modification,transferred").
  std::string sequence() const {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& note : notes_) text += (text.empty() ? "" : ",") + note.what;
    return text;
  }

  // Waits until `what` was notified `n` times.
  bool wait_for(const std::string& what, std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      std::size_t seen = 0;
      for (const auto& note : notes_) seen += note.what == what ? 1 : 0;
      return seen >= n;
    });
  }

  // Waits until the job is in `state` (read after each notification and every 100 ms).
  api::Result<api::JobInfo> wait_for_state(api::Job& job, api::JobState state,
                                           std::chrono::milliseconds timeout) {
    return wait_until(
        job, [state](const api::JobInfo& info) { return info.state == state; }, timeout);
  }

  // Waits until `done(info)` holds; returns the last info read.
  api::Result<api::JobInfo> wait_until(api::Job& job,
                                       const std::function<bool(const api::JobInfo&)>& done,
                                       std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::size_t seen;
      {
        std::lock_guard lock(mutex_);
        seen = notes_.size();
      }
      auto info = job.info();
      if (info && done(*info)) return info;
      if (std::chrono::steady_clock::now() >= deadline) return info;
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, std::chrono::milliseconds(100),
                        [&] { return notes_.size() != seen; });
    }
  }

 private:
  void record(std::string what, api::JobId job, std::optional<api::Error> error = std::nullopt,
              std::optional<api::FileStatus> file = std::nullopt) {
    Note note{std::move(what), job, std::move(error), std::move(file), std::this_thread::get_id()};
    {
      std::lock_guard lock(mutex_);
      notes_.push_back(std::move(note));
    }
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Note> notes_;
};

}  // namespace swarmcopy::test
