// RemoteManager against the real swarmcopyd (a child process) and a real nginx: a download end
// to end through the socket with callbacks from the event stream, a daemon restart in the
// middle of a transfer survived by the same manager and its callbacks, and clear kUnavailable
// errors while no daemon answers.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "daemon_test_env.h"
#include "recording_callback.h"
#include "swarmcopy/client/daemon_status.h"
#include "swarmcopy/client/remote_manager.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kAllEvents = api::NotifyFlags::kJobTransferred | api::NotifyFlags::kJobError |
                            api::NotifyFlags::kJobModification | api::NotifyFlags::kFileTransferred;

class ClientDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.start_daemon()); }

  std::shared_ptr<api::Manager> connect() {
    auto manager = client::connect(env_.socket());
    EXPECT_TRUE(manager) << manager.error().describe();
    return manager.value_or(nullptr);
  }

  DaemonTestEnv env_;
};

TEST_F(ClientDaemonTest, StatusNamesTheApiAndTheCaller) {
  auto status = client::daemon_status(env_.socket());
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->api, 1);
  EXPECT_EQ(status->mode, "user");
  EXPECT_EQ(status->uid, ::getuid());
}

TEST_F(ClientDaemonTest, DownloadsThroughTheDaemonWithCallbacks) {
  const auto sha_a = env_.serve("a.bin", (3 << 20) + 17, 1);
  const auto sha_b = env_.serve("b.bin", 100000, 2);
  auto manager = connect();
  ASSERT_NE(manager, nullptr);

  auto job = manager->create_job("through the daemon").value();
  const std::vector<api::FileSpec> files = {
      {env_.url("/a.bin"), (env_.out() / "a.bin").string(), sha_a},
      {env_.url("/b.bin"), (env_.out() / "b.bin").string(), std::nullopt}};
  ASSERT_TRUE(job->add_file_set(files));
  ASSERT_TRUE(job->set_notify_flags(kAllEvents));
  auto callback = std::make_shared<RecordingCallback>();
  ASSERT_TRUE(job->set_notify_interface(callback));
  ASSERT_TRUE(job->resume());

  ASSERT_TRUE(callback->wait_for("transferred", 1, 60s)) << callback->sequence();
  EXPECT_EQ(callback->count("file_transferred"), 2u) << callback->sequence();
  EXPECT_GE(callback->count("modification"), 1u);
  EXPECT_EQ(callback->count("error"), 0u);
  for (const auto& note : callback->notes()) EXPECT_EQ(note.job, job->id());
  auto info = job->info().value();
  EXPECT_EQ(info.state, api::JobState::kTransferred);
  EXPECT_EQ(info.progress.bytes_transferred, (3u << 20) + 17 + 100000);
  EXPECT_FALSE(fs::exists(env_.out() / "a.bin")) << "nothing at the destination before Complete";

  ASSERT_TRUE(job->complete());
  EXPECT_EQ(job->state().value(), api::JobState::kAcknowledged);
  EXPECT_EQ(sha256_file(env_.out() / "a.bin").value_or(""), sha_a);
  EXPECT_EQ(sha256_file(env_.out() / "b.bin").value_or(""), sha_b);
  EXPECT_EQ(info.owner_uid, ::getuid());
}

TEST_F(ClientDaemonTest, ADaemonRestartMidTransferIsSurvivedByTheSameManager) {
  const auto sha = env_.serve("big.bin", 8 << 20);
  auto manager = connect();
  ASSERT_NE(manager, nullptr);
  auto job = manager->create_job("restart").value();
  ASSERT_TRUE(job->add_file({env_.url("/slow/big.bin"), (env_.out() / "big.bin").string(), sha}));
  auto callback = std::make_shared<RecordingCallback>();
  ASSERT_TRUE(job->set_notify_interface(callback));  // default flags: TRANSFERRED | ERROR
  // 8 MiB at 2 MiB/s: the restart happens mid-transfer.
  ASSERT_TRUE(job->set_max_bytes_per_second(2 << 20));
  ASSERT_TRUE(job->resume());
  const auto started = callback->wait_until(
      *job, [](const api::JobInfo& i) { return i.progress.bytes_transferred > 0; }, 20s);
  ASSERT_TRUE(started && started->state == api::JobState::kTransferring)
      << (started ? api::to_string(started->state) : started.error().describe());

  EXPECT_EQ(env_.daemon()->stop(), 0) << env_.daemon()->log_text();
  auto gone = job->info();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, api::ErrorKind::kUnavailable);
  EXPECT_EQ(gone.error().file, env_.socket().string());
  EXPECT_NE(gone.error().describe().find(env_.socket().string()), std::string::npos);

  ASSERT_TRUE(env_.start_daemon());
  // The first call after the restart works, on the same manager and handle.
  auto back = job->info();
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_TRUE(api::is_active(back->state) || back->state == api::JobState::kTransferred)
      << api::to_string(back->state) << ": the job resumes by itself";
  // The event stream reconnected: the end of the transfer is still notified.
  ASSERT_TRUE(callback->wait_for("transferred", 1, 60s)) << callback->sequence();
  EXPECT_EQ(callback->count("transferred"), 1u);
  ASSERT_TRUE(job->complete());
  EXPECT_EQ(sha256_file(env_.out() / "big.bin").value_or(""), sha);
}

TEST_F(ClientDaemonTest, AKilledDaemonIsUnavailableUntilItIsBack) {
  auto manager = connect();
  ASSERT_NE(manager, nullptr);
  auto job = manager->create_job("crash").value();

  env_.daemon()->kill_now();
  for (int i = 0; i < 3; ++i) {  // repeated calls: each fails the same clear way
    auto info = job->info();
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, api::ErrorKind::kUnavailable);
    EXPECT_EQ(info.error().file, env_.socket().string());
  }
  auto created = manager->create_job("while down");
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind, api::ErrorKind::kUnavailable);
  auto fresh = client::connect(env_.socket());
  ASSERT_FALSE(fresh);
  EXPECT_EQ(fresh.error().kind, api::ErrorKind::kUnavailable);

  ASSERT_TRUE(env_.start_daemon());
  auto info = job->info();
  ASSERT_TRUE(info) << info.error().describe();
  EXPECT_EQ(info->display_name, "crash") << "the job was committed before create_job returned";
}

TEST_F(ClientDaemonTest, ConcurrentCallsFromManyThreadsAllSucceed) {
  auto manager = connect();
  ASSERT_NE(manager, nullptr);
  auto job = manager->create_job("shared").value();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (!job->info() || !job->suspend()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace swarmcopy::test
