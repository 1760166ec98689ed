// Two jobs of one engine fetching the same content at once (two applications asking for the
// same update): one fills the cache item from the origin, the other waits for it and copies
// the result, so the origin sends the content once; when the filling job is cancelled, the
// waiting one takes over. The engine in-process (engine::open_local), lan mode without peers,
// a real nginx origin on loopback.
#include <gtest/gtest.h>

#include "../engine/job_waiter.h"
#include "nginx/test_files.h"
#include "swarm_fixture.h"
#include "swarmcopy/engine/local_manager.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kSize = 32ull << 20;
// Slow enough that the second job joins while the first is still filling the item.
constexpr std::uint64_t kFillerRate = 16ull << 20;

class SharedContentTest : public SwarmFixture {
 protected:
  void SetUp() override {
    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
    engine::EngineOptions options;
    options.default_mode = api::DownloadMode::kLan;
    options.peer.local_discovery = false;
    options.peer.listen = "127.0.0.1:0";
    options.seed_time = 0s;
    options.checkpoint_interval = 200ms;
    auto manager = engine::open_local(home_a_.path(), options);
    ASSERT_TRUE(manager) << manager.error().describe();
    manager_ = *manager;
  }

  std::shared_ptr<api::Job> start_job(const std::string& dest, std::uint64_t rate = 0) {
    auto job = manager_->create_job("update");
    EXPECT_TRUE(job) << job.error().describe();
    if (!job) return nullptr;
    EXPECT_TRUE((*job)->add_file({url_, (out_.path() / dest).string(), std::nullopt}));
    if (rate > 0) {
      EXPECT_TRUE((*job)->set_max_bytes_per_second(rate));
    }
    EXPECT_TRUE((*job)->resume());
    return *job;
  }

  // The first job (slowed to kFillerRate) on its way, filling the item; then a second job for
  // the same content.
  struct TwoJobs {
    std::shared_ptr<api::Job> first, second;
    std::shared_ptr<JobWaiter> first_waiter, second_waiter;
  };
  TwoJobs start_second_while_first_fills() {
    TwoJobs jobs;
    jobs.first = start_job("first.bin", kFillerRate);
    if (!jobs.first) return jobs;
    jobs.first_waiter = JobWaiter::attach(*jobs.first);
    jobs.first_waiter->wait_until(
        *jobs.first, [](const api::JobInfo& info) { return info.progress.bytes_transferred > 0; });
    jobs.second = start_job("second.bin");
    if (jobs.second) jobs.second_waiter = JobWaiter::attach(*jobs.second);
    return jobs;
  }

  std::string sha_, url_;
  std::shared_ptr<api::Manager> manager_;
};

TEST_F(SharedContentTest, TheOriginSendsTheContentOnceForTwoJobs) {
  const auto before = nginx_->body_bytes_sent("/update.bin");
  auto [first, second, first_waiter, second_waiter] = start_second_while_first_fills();
  ASSERT_TRUE(first && second);
  const auto first_info = first_waiter->wait_for_state(*first, api::JobState::kTransferred, 60s);
  const auto second_info = second_waiter->wait_for_state(*second, api::JobState::kTransferred, 60s);
  ASSERT_EQ(first_info.state, api::JobState::kTransferred);
  ASSERT_EQ(second_info.state, api::JobState::kTransferred);
  ASSERT_TRUE(first->complete());
  ASSERT_TRUE(second->complete());
  EXPECT_EQ(sha256_file(out_.path() / "first.bin").value_or(""), sha_);
  EXPECT_EQ(sha256_file(out_.path() / "second.bin").value_or(""), sha_);

  ASSERT_EQ(first_info.files.size(), 1u);
  ASSERT_EQ(second_info.files.size(), 1u);
  EXPECT_EQ(first_info.files[0].from_origin, kSize);
  EXPECT_EQ(second_info.files[0].from_origin, 0u);
  EXPECT_EQ(second_info.files[0].from_cache, kSize);
  // The probes ask for a byte or so each; the content itself goes once.
  EXPECT_LE(nginx_->body_bytes_sent("/update.bin") - before, kSize + 1024);
}

TEST_F(SharedContentTest, WhenTheFillingJobIsCancelledTheWaitingOneTakesOver) {
  auto [first, second, first_waiter, second_waiter] = start_second_while_first_fills();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->cancel());
  const auto info = second_waiter->wait_for_state(*second, api::JobState::kTransferred, 60s);
  ASSERT_EQ(info.state, api::JobState::kTransferred);
  ASSERT_TRUE(second->complete());
  EXPECT_EQ(sha256_file(out_.path() / "second.bin").value_or(""), sha_);
  ASSERT_EQ(info.files.size(), 1u);
  EXPECT_GT(info.files[0].from_origin, 0u) << "it fetched what the cancelled job had not";
  EXPECT_FALSE(std::filesystem::exists(out_.path() / "first.bin"));
}

}  // namespace
}  // namespace swarmcopy::test
