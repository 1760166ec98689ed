// Every job method in every job state (job-model.md): each call either does what the contract
// says — and leaves the job in the state it names — or answers a clear error of the expected
// kind. Table-driven; each cell gets a fresh job brought to its state for real.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "fault_server/fault_server.h"
#include "job_waiter.h"
#include "loopback/loopback_peers.h"
#include "swarmcopy/engine/local_manager.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using api::ErrorKind;
using api::JobState;
using namespace std::chrono_literals;

// What a call must do in one state: succeed (and leave the job in `then`, if given), or fail
// with `error`.
struct Expect {
  std::optional<ErrorKind> error;
  std::optional<JobState> then;
};
Expect ok(std::optional<JobState> then = std::nullopt) { return {std::nullopt, then}; }
Expect err(ErrorKind kind) { return {kind, std::nullopt}; }

struct Method {
  std::string name;
  std::function<api::Result<void>(api::Job&, const std::string& spare_dest)> call;
};

std::vector<Method> methods() {
  auto getter = [](auto pick) {
    return [pick](api::Job& job, const std::string&) -> api::Result<void> {
      auto result = pick(job);
      if (!result) return std::unexpected(result.error());
      return {};
    };
  };
  return {
      {"add_file",
       [](api::Job& job, const std::string& dest) {
         return job.add_file({"http://127.0.0.1:9/extra", dest, std::nullopt});
       }},
      {"resume", [](api::Job& job, const std::string&) { return job.resume(); }},
      {"suspend", [](api::Job& job, const std::string&) { return job.suspend(); }},
      {"cancel", [](api::Job& job, const std::string&) { return job.cancel(); }},
      {"complete", [](api::Job& job, const std::string&) { return job.complete(); }},
      {"set_priority",
       [](api::Job& job, const std::string&) { return job.set_priority(api::Priority::kHigh); }},
      {"set_no_progress_timeout",
       [](api::Job& job, const std::string&) { return job.set_no_progress_timeout(3600s); }},
      {"set_notify_flags",
       [](api::Job& job, const std::string&) {
         return job.set_notify_flags(api::NotifyFlags::kJobTransferred);
       }},
      {"set_notify_interface",
       [](api::Job& job, const std::string&) {
         return job.set_notify_interface(std::make_shared<api::Callback>());
       }},
      {"set_http_headers",
       [](api::Job& job, const std::string&) { return job.set_http_headers({"X-A: b"}); }},
      {"set_max_bytes_per_second",
       [](api::Job& job, const std::string&) { return job.set_max_bytes_per_second(1000); }},
      {"set_display_name",
       [](api::Job& job, const std::string&) { return job.set_display_name("renamed"); }},
      {"set_description",
       [](api::Job& job, const std::string&) { return job.set_description("described"); }},
      {"set_min_retry_delay",
       [](api::Job& job, const std::string&) { return job.set_min_retry_delay(5s); }},
      {"set_notify_cmd",
       [](api::Job& job, const std::string&) { return job.set_notify_cmd({"/bin/true"}); }},
      {"info", getter([](api::Job& j) { return j.info(); })},
      {"files", getter([](api::Job& j) { return j.files(); })},
      {"display_name", getter([](api::Job& j) { return j.display_name(); })},
      {"type", getter([](api::Job& j) { return j.type(); })},
      {"state", getter([](api::Job& j) { return j.state(); })},
      {"progress", getter([](api::Job& j) { return j.progress(); })},
      {"times", getter([](api::Job& j) { return j.times(); })},
      {"error", getter([](api::Job& j) { return j.error(); })},
      {"priority", getter([](api::Job& j) { return j.priority(); })},
      {"no_progress_timeout", getter([](api::Job& j) { return j.no_progress_timeout(); })},
      {"notify_flags", getter([](api::Job& j) { return j.notify_flags(); })},
      {"notify_interface", getter([](api::Job& j) { return j.notify_interface(); })},
  };
}

bool is_getter(const std::string& name) {
  static const std::set<std::string> kSetters = {"add_file",
                                                 "resume",
                                                 "suspend",
                                                 "cancel",
                                                 "complete",
                                                 "set_priority",
                                                 "set_no_progress_timeout",
                                                 "set_notify_flags",
                                                 "set_notify_interface",
                                                 "set_http_headers",
                                                 "set_max_bytes_per_second",
                                                 "set_display_name",
                                                 "set_description",
                                                 "set_min_retry_delay",
                                                 "set_notify_cmd"};
  return !kSetters.contains(name);
}

// The contract, state by state. Setters not listed succeed in every non-final state.
Expect expected(JobState state, const std::string& method) {
  if (is_getter(method)) return ok(state);
  if (api::is_final(state)) return err(ErrorKind::kJobIsFinal);
  const bool transferred = state == JobState::kTransferred;
  if (method == "add_file") return transferred ? err(ErrorKind::kInvalidState) : ok();
  if (method == "resume") {
    if (transferred) return err(ErrorKind::kInvalidState);
    if (state == JobState::kSuspended || state == JobState::kError ||
        state == JobState::kTransientError) {
      return ok();  // restarted: QUEUED or beyond
    }
    return ok();  // already active: a no-op
  }
  if (method == "suspend") {
    return transferred ? err(ErrorKind::kInvalidState) : ok(JobState::kSuspended);
  }
  if (method == "cancel") return ok(JobState::kCancelled);
  if (method == "complete") {
    return transferred ? ok(JobState::kAcknowledged) : err(ErrorKind::kInvalidState);
  }
  // A new priority may move a job in or out of a transfer slot: its state is the scheduler's.
  if (method == "set_priority") return ok();
  return ok(state);
}

class StateTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_content(std::string(200000, 'x'), "\"v1\"", "Wed, 21 Oct 2026 07:28:00 GMT");
    server_.set_fault("/connecting", Fault::stall_after(0));
    server_.set_fault("/transferring", Fault::stall_after(100000));
    server_.set_fault("/missing", Fault::http_status(404));
    server_.set_fault("/busy", Fault::http_status(503, "3600"));
    engine::EngineOptions options;
    // No background slot: NORMAL jobs stay QUEUED; FOREGROUND ones run at once.
    options.max_active_jobs = 0;
    options.stall_timeout = 600s;
    options.min_retry_delay = 3600s;
    options.max_retry_delay = 3600s;
    options.checkpoint_interval = 10ms;
    keep_peers_on_loopback(options.peer);
    manager_ = *engine::open_local(state_.path(), options);
  }

  std::shared_ptr<api::Job> job_in(JobState state, int serial) {
    auto job = *manager_->create_job("table");
    const auto dest = out_ / ("f" + std::to_string(serial));
    auto waiter = JobWaiter::attach(*job);
    auto add = [&](const std::string& path) {
      EXPECT_TRUE(job->add_file({server_.url(path), dest, std::nullopt}));
    };
    auto run = [&](const std::string& path, JobState until) {
      add(path);
      EXPECT_TRUE(job->set_priority(api::Priority::kForeground));
      EXPECT_TRUE(job->resume());
      EXPECT_EQ(waiter->wait_for_state(*job, until, 30s).state, until);
    };
    switch (state) {
      case JobState::kSuspended:
        add("/ok");
        break;
      case JobState::kQueued:
        add("/ok");
        EXPECT_TRUE(job->resume());
        break;
      case JobState::kConnecting:
        run("/connecting", state);
        break;
      case JobState::kTransferring:
        // The identity probes answer: whether the origin names a digest (lan mode, no
        // metadata), then the transfer's own.
        server_.push_fault("/transferring", Fault::none(), 2);
        run("/transferring", state);
        break;
      case JobState::kError:
        run("/missing", state);
        break;
      case JobState::kTransientError:
        run("/busy", state);
        break;
      case JobState::kTransferred:
        run("/ok", state);
        break;
      case JobState::kAcknowledged:
        run("/ok", JobState::kTransferred);
        EXPECT_TRUE(job->complete());
        break;
      case JobState::kCancelled:
        add("/ok");
        EXPECT_TRUE(job->cancel());
        break;
    }
    EXPECT_EQ(job->state(), state);
    return job;
  }

  void check_every_method(JobState state) {
    int serial = 0;
    for (const auto& method : methods()) {
      SCOPED_TRACE(std::string(api::to_string(state)) + " / " + method.name);
      auto job = job_in(state, serial++);
      const auto expect = expected(state, method.name);
      const auto result = method.call(*job, out_ / ("spare" + std::to_string(serial)));
      if (expect.error) {
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().kind, *expect.error) << result.error().describe();
        EXPECT_FALSE(result.error().message.empty());
        EXPECT_EQ(job->state(), state);  // a refused call changes nothing
      } else {
        ASSERT_TRUE(result) << result.error().describe();
        if (expect.then) {
          EXPECT_EQ(job->state(), *expect.then);
        }
      }
      (void)job->cancel();  // frees the job's connections before the next cell
    }
  }

  FaultServer server_;
  TestDir state_;
  TestDir out_;
  std::shared_ptr<api::Manager> manager_;
};

TEST_F(StateTableTest, Suspended) { check_every_method(JobState::kSuspended); }
TEST_F(StateTableTest, Queued) { check_every_method(JobState::kQueued); }
TEST_F(StateTableTest, Connecting) { check_every_method(JobState::kConnecting); }
TEST_F(StateTableTest, Transferring) { check_every_method(JobState::kTransferring); }
TEST_F(StateTableTest, Error) { check_every_method(JobState::kError); }
TEST_F(StateTableTest, TransientError) { check_every_method(JobState::kTransientError); }
TEST_F(StateTableTest, Transferred) { check_every_method(JobState::kTransferred); }
TEST_F(StateTableTest, Acknowledged) { check_every_method(JobState::kAcknowledged); }
TEST_F(StateTableTest, Cancelled) { check_every_method(JobState::kCancelled); }

TEST_F(StateTableTest, ResumeOfAnErrorJobAsksTheOriginAgain) {
  auto job = job_in(JobState::kError, 100);
  const auto asked = server_.requests_for("/missing").size();
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  waiter->wait_until(
      *job, [&](const api::JobInfo&) { return server_.requests_for("/missing").size() > asked; });
  EXPECT_GT(server_.requests_for("/missing").size(), asked);
  EXPECT_EQ(waiter->wait_for_state(*job, JobState::kError).state, JobState::kError);
}

}  // namespace
}  // namespace swarmcopy::test
