// The embedded engine end to end against a real nginx on loopback: downloads, atomic
// Complete, cancel, suspend/resume, restarts, callbacks and scheduling.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "job_waiter.h"
#include "loopback/loopback_peers.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "swarmcopy/engine/local_manager.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using api::JobState;
using namespace std::chrono_literals;

engine::EngineOptions fast_options() {
  engine::EngineOptions options;
  options.min_retry_delay = 50ms;
  options.max_retry_delay = 200ms;
  options.checkpoint_interval = 50ms;
  keep_peers_on_loopback(options.peer);
  return options;
}

class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NginxOptions options;
    // /slow/ serves the same files slowly, to catch jobs mid-transfer.
    options.server_config =
        "location /slow/ { alias " + (docroot_.path().string()) + "/; limit_rate 2m; }";
    options.docroot = docroot_.path();
    auto server = NginxServer::start(options);
    ASSERT_TRUE(server) << server.error();
    nginx_ = std::move(*server);
  }

  std::string make_file(const std::string& name, std::uint64_t size, std::uint64_t seed = 1) {
    auto sha = write_test_file(docroot_.path() / name, size, seed);
    EXPECT_TRUE(sha) << sha.error();
    return sha.value_or("");
  }

  std::shared_ptr<api::Manager> open(engine::EngineOptions options = fast_options()) {
    auto manager = engine::open_local(state_.path(), options);
    EXPECT_TRUE(manager) << manager.error().describe();
    return manager.value_or(nullptr);
  }

  std::shared_ptr<api::Job> new_job(api::Manager& manager, const std::string& url,
                                    const std::string& dest) {
    auto job = manager.create_job("test");
    EXPECT_TRUE(job);
    auto added = (*job)->add_file({url, dest, std::nullopt});
    EXPECT_TRUE(added) << added.error().describe();
    return *job;
  }

  TestDir docroot_;
  TestDir state_;
  TestDir out_;
  std::unique_ptr<NginxServer> nginx_;
};

TEST_F(ManagerTest, NewJobIsSuspendedWithItsNameAndTimes) {
  auto manager = open();
  const auto before = api::Clock::now();
  auto job = manager->create_job("nightly update");
  ASSERT_TRUE(job);
  auto info = (*job)->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->state, JobState::kSuspended);
  EXPECT_EQ(info->display_name, "nightly update");
  EXPECT_EQ(info->priority, api::Priority::kNormal);
  EXPECT_EQ(info->type, api::JobType::kDownload);
  EXPECT_EQ(info->notify_flags, api::kDefaultNotifyFlags);
  EXPECT_EQ(info->no_progress_timeout, std::chrono::hours(24 * 14));
  EXPECT_GE(info->times.creation_time, before);
  EXPECT_EQ(info->times.transfer_completion_time, api::Clock::time_point{});
  EXPECT_EQ(info->progress.bytes_total, 0u);  // no files: every size (none) is known
  EXPECT_EQ(info->progress.files_total, 0u);
}

TEST_F(ManagerTest, DownloadsAndCompletesAtomically) {
  const auto sha = make_file("file.bin", 20 << 20);
  auto manager = open();
  const auto dest = out_ / "file.bin";
  auto job = new_job(*manager, nginx_->url("file.bin"), dest);
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  // Callbacks come on their own thread: wait for them too.
  auto info = waiter->wait_until(*job, [&](const api::JobInfo& i) {
    return i.state == JobState::kTransferred && waiter->transferred() == 1;
  });
  ASSERT_EQ(info.state, JobState::kTransferred) << (info.error ? info.error->describe() : "");
  // TRANSFERRED: the data is whole but still temporary; the destination does not exist yet.
  EXPECT_FALSE(std::filesystem::exists(dest));
  EXPECT_EQ(info.progress.bytes_total, 20u << 20);
  EXPECT_EQ(info.progress.bytes_transferred, 20u << 20);
  EXPECT_EQ(info.progress.files_transferred, 1u);
  EXPECT_NE(info.times.transfer_completion_time, api::Clock::time_point{});
  EXPECT_EQ(info.files.at(0).from_origin, 20u << 20);
  EXPECT_EQ(waiter->transferred(), 1);
  EXPECT_EQ(waiter->files().size(), 1u);

  ASSERT_TRUE(job->complete());
  EXPECT_EQ(sha256_file(dest).value_or(""), sha);
  EXPECT_EQ(TestDir::list(out_.path()), std::vector<std::string>{"file.bin"});
  EXPECT_EQ(job->state(), JobState::kAcknowledged);
}

TEST_F(ManagerTest, ManyFilesTransferTogetherAndCompleteTogether) {
  std::vector<std::string> shas;
  std::vector<api::FileSpec> files;
  for (int i = 0; i < 3; ++i) {
    const auto name = "part" + std::to_string(i);
    shas.push_back(make_file(name, (i + 1) * 300000, i + 7));
    files.push_back({nginx_->url(name), out_ / name, shas.back()});
  }
  make_file("empty", 0);
  files.push_back({nginx_->url("empty"), out_ / "empty", std::nullopt});
  auto manager = open();
  auto job = *manager->create_job("set");
  ASSERT_TRUE(job->add_file_set(files));
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_until(*job, [&](const api::JobInfo& i) {
    return i.state == JobState::kTransferred && waiter->files().size() == 4;
  });
  ASSERT_EQ(info.state, JobState::kTransferred);
  EXPECT_EQ(info.progress.files_total, 4u);
  EXPECT_EQ(info.progress.bytes_total, 300000u + 600000u + 900000u);
  EXPECT_EQ(waiter->files().size(), 4u);
  ASSERT_TRUE(job->complete());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sha256_file(out_ / ("part" + std::to_string(i))).value_or(""), shas[i]);
  }
  EXPECT_EQ(std::filesystem::file_size(out_ / "empty"), 0u);
  EXPECT_EQ(TestDir::list(out_.path()).size(), 4u);
}

TEST_F(ManagerTest, ExpectedSha256MismatchIsAnErrorAndLeavesNothing) {
  make_file("file.bin", 1 << 20);
  auto manager = open();
  auto job = *manager->create_job("bad hash");
  const auto dest = out_ / "file.bin";
  ASSERT_TRUE(job->add_file({nginx_->url("file.bin"), dest, std::string(64, '0')}));
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_until(*job, [&](const api::JobInfo& i) {
    return i.state == JobState::kError && waiter->errors().size() == 1;
  });
  ASSERT_EQ(info.state, JobState::kError);
  ASSERT_TRUE(info.error);
  EXPECT_EQ(info.error->kind, api::ErrorKind::kChecksumMismatch);
  EXPECT_NE(info.error->message.find("SHA-256 mismatch"), std::string::npos);
  ASSERT_EQ(waiter->errors().size(), 1u);
  EXPECT_TRUE(TestDir::list(out_.path()).empty());  // temp deleted, destination untouched
  EXPECT_FALSE(job->complete());
}

TEST_F(ManagerTest, CompleteReplacesAnExistingDestination) {
  const auto sha = make_file("file.bin", 100000);
  const auto dest = out_ / "file.bin";
  { std::ofstream(dest) << "old content"; }
  auto manager = open();
  auto job = new_job(*manager, nginx_->url("file.bin"), dest);
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  ASSERT_EQ(waiter->wait_for_state(*job, JobState::kTransferred).state, JobState::kTransferred);
  EXPECT_EQ(TestDir::read(dest), "old content");  // untouched until Complete
  ASSERT_TRUE(job->complete());
  EXPECT_EQ(sha256_file(dest).value_or(""), sha);
}

TEST_F(ManagerTest, CancelMidTransferRemovesEveryTemporaryFile) {
  make_file("big.bin", 16 << 20);
  auto manager = open();
  const auto dest = out_ / "big.bin";
  auto job = new_job(*manager, nginx_->url("slow/big.bin"), dest);
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_until(
      *job, [](const api::JobInfo& i) { return i.progress.bytes_transferred > 0; });
  ASSERT_GT(info.progress.bytes_transferred, 0u);
  ASSERT_FALSE(TestDir::list(out_.path()).empty());  // the temporary file exists
  ASSERT_TRUE(job->cancel());
  EXPECT_EQ(job->state(), JobState::kCancelled);
  EXPECT_TRUE(TestDir::list(out_.path()).empty());
  // Final: only getters work now.
  EXPECT_EQ(job->resume().error().kind, api::ErrorKind::kJobIsFinal);
  EXPECT_EQ(job->cancel().error().kind, api::ErrorKind::kJobIsFinal);
}

TEST_F(ManagerTest, SuspendKeepsVerifiedBytesAndResumeFetchesOnlyTheRest) {
  const auto sha = make_file("big.bin", 12 << 20);
  auto manager = open();
  const auto dest = out_ / "big.bin";
  auto job = new_job(*manager, nginx_->url("slow/big.bin"), dest);
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  waiter->wait_until(
      *job, [](const api::JobInfo& i) { return i.progress.bytes_transferred >= (2u << 20); });
  ASSERT_TRUE(job->suspend());
  const auto kept = job->info()->progress.bytes_transferred;
  EXPECT_GE(kept, 2u << 20);
  EXPECT_EQ(job->state(), JobState::kSuspended);
  ASSERT_TRUE(job->set_priority(api::Priority::kForeground));
  ASSERT_TRUE(job->resume());
  ASSERT_EQ(waiter->wait_for_state(*job, JobState::kTransferred).state, JobState::kTransferred);
  ASSERT_TRUE(job->complete());
  EXPECT_EQ(sha256_file(dest).value_or(""), sha);
  // Kept bytes were not asked for again: the first run asked for the whole file (in parallel
  // ranges), the resumed run for exactly the bytes the suspend did not keep.
  std::uint64_t requested = 0;
  for (const auto& entry : nginx_->wait_for_access_log(2, 5s)) {
    unsigned long long first = 0, last = 0;
    if (entry.range == "bytes=0-0") continue;       // identity probes
    if (entry.uri.ends_with(".torrent")) continue;  // the metadata lookups (there is none)
    ASSERT_EQ(std::sscanf(entry.range.c_str(), "bytes=%llu-%llu", &first, &last), 2) << entry.range;
    requested += last - first + 1;
  }
  EXPECT_EQ(requested, (12u << 20) + ((12u << 20) - kept));
}

TEST_F(ManagerTest, JobsAndTheirStateSurviveAReopen) {
  make_file("file.bin", 1000);
  api::JobId id;
  api::JobInfo before;
  {
    auto manager = open();
    auto job = new_job(*manager, nginx_->url("file.bin"), out_ / "file.bin");
    ASSERT_TRUE(job->set_priority(api::Priority::kLow));
    ASSERT_TRUE(job->set_no_progress_timeout(123s));
    ASSERT_TRUE(job->set_http_headers({"X-Test: 1"}));
    id = job->id();
    before = *job->info();
  }
  auto manager = open();
  auto job = manager->get_job(id);
  ASSERT_TRUE(job);
  auto after = (*job)->info();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, JobState::kSuspended);
  EXPECT_EQ(after->priority, api::Priority::kLow);
  EXPECT_EQ(after->no_progress_timeout, 123s);
  EXPECT_EQ(after->http_headers, std::vector<std::string>{"X-Test: 1"});
  EXPECT_EQ(after->times, before.times);
  EXPECT_EQ(after->files, before.files);
  auto all = manager->jobs();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(ManagerTest, AnActiveJobResumesByItselfAfterAReopen) {
  const auto sha = make_file("big.bin", 8 << 20);
  api::JobId id;
  {
    auto manager = open();
    auto job = new_job(*manager, nginx_->url("slow/big.bin"), out_ / "big.bin");
    auto waiter = JobWaiter::attach(*job);
    ASSERT_TRUE(job->resume());
    waiter->wait_until(
        *job, [](const api::JobInfo& i) { return i.progress.bytes_transferred > (1u << 20); });
    id = job->id();
  }  // the manager goes away mid-transfer
  auto manager = open();
  auto job = *manager->get_job(id);
  auto waiter = JobWaiter::attach(*job);
  auto info = waiter->wait_for_state(*job, JobState::kTransferred);
  ASSERT_EQ(info.state, JobState::kTransferred);
  ASSERT_TRUE(job->complete());
  EXPECT_EQ(sha256_file(out_ / "big.bin").value_or(""), sha);
}

TEST_F(ManagerTest, ASecondProcessCannotOpenTheSameStateDirectory) {
  auto manager = open();
  auto second = engine::open_local(state_.path(), fast_options());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, api::ErrorKind::kUnavailable);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
}

TEST_F(ManagerTest, DisableFlagSilencesEveryCallback) {
  make_file("file.bin", 1000);
  auto manager = open();
  auto job = new_job(*manager, nginx_->url("file.bin"), out_ / "file.bin");
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->set_notify_flags(api::NotifyFlags::kJobTransferred |
                                    api::NotifyFlags::kJobModification |
                                    api::NotifyFlags::kDisable));
  ASSERT_TRUE(job->resume());
  ASSERT_EQ(waiter->wait_for_state(*job, JobState::kTransferred).state, JobState::kTransferred);
  ASSERT_TRUE(job->complete());
  manager.reset();  // shutting down delivers every queued notification first
  EXPECT_EQ(waiter->transferred(), 0);
  EXPECT_EQ(waiter->modifications(), 0);
}

TEST_F(ManagerTest, ACallbackMayCallBackIntoItsJob) {
  make_file("file.bin", 5000);
  auto manager = open();
  auto job = new_job(*manager, nginx_->url("file.bin"), out_ / "file.bin");
  struct CompleteOnTransferred : api::Callback {
    std::promise<bool> completed;
    void job_transferred(api::Job& job) override {
      completed.set_value(job.complete().has_value());
    }
  };
  auto callback = std::make_shared<CompleteOnTransferred>();
  auto completed = callback->completed.get_future();
  ASSERT_TRUE(job->set_notify_interface(callback));
  ASSERT_TRUE(job->resume());
  ASSERT_EQ(completed.wait_for(30s), std::future_status::ready);
  EXPECT_TRUE(completed.get());
  EXPECT_EQ(job->state(), JobState::kAcknowledged);
}

TEST_F(ManagerTest, HigherPriorityPreemptsAndForegroundIgnoresSlots) {
  make_file("big.bin", 16 << 20);
  auto options = fast_options();
  options.max_active_jobs = 1;
  auto manager = open(options);
  auto low = new_job(*manager, nginx_->url("slow/big.bin"), out_ / "low.bin");
  auto high = new_job(*manager, nginx_->url("slow/big.bin"), out_ / "high.bin");
  auto fg = new_job(*manager, nginx_->url("slow/big.bin"), out_ / "fg.bin");
  auto low_waiter = JobWaiter::attach(*low);
  auto high_waiter = JobWaiter::attach(*high);
  auto fg_waiter = JobWaiter::attach(*fg);
  ASSERT_TRUE(low->set_priority(api::Priority::kLow));
  ASSERT_TRUE(high->set_priority(api::Priority::kHigh));
  ASSERT_TRUE(fg->set_priority(api::Priority::kForeground));
  ASSERT_TRUE(low->resume());
  low_waiter->wait_for_state(*low, JobState::kTransferring);
  ASSERT_EQ(low->state(), JobState::kTransferring);

  ASSERT_TRUE(high->resume());
  high_waiter->wait_for_state(*high, JobState::kTransferring);
  EXPECT_EQ(high->state(), JobState::kTransferring);
  EXPECT_EQ(low->state(), JobState::kQueued);  // preempted, waiting for the slot

  ASSERT_TRUE(fg->resume());
  fg_waiter->wait_for_state(*fg, JobState::kTransferring);
  EXPECT_EQ(fg->state(), JobState::kTransferring);  // no slot needed
  EXPECT_EQ(high->state(), JobState::kTransferring);

  // Once the high job leaves, the low one gets its slot back.
  ASSERT_TRUE(high->cancel());
  low_waiter->wait_for_state(*low, JobState::kTransferring);
  EXPECT_EQ(low->state(), JobState::kTransferring);
  ASSERT_TRUE(low->cancel());
  ASSERT_TRUE(fg->cancel());
}

TEST_F(ManagerTest, SamePriorityJobsTakeTurns) {
  make_file("big.bin", 16 << 20);
  auto options = fast_options();
  options.max_active_jobs = 1;
  options.time_slice = 300ms;
  auto manager = open(options);
  auto first = new_job(*manager, nginx_->url("slow/big.bin"), out_ / "a.bin");
  auto second = new_job(*manager, nginx_->url("slow/big.bin"), out_ / "b.bin");
  auto first_waiter = JobWaiter::attach(*first);
  auto second_waiter = JobWaiter::attach(*second);
  ASSERT_TRUE(first->resume());
  first_waiter->wait_for_state(*first, JobState::kTransferring);
  ASSERT_TRUE(second->resume());
  EXPECT_EQ(second->state(), JobState::kQueued);
  // After the first job's slice the second one runs while the first waits its turn.
  second_waiter->wait_for_state(*second, JobState::kTransferring);
  EXPECT_EQ(second->state(), JobState::kTransferring);
  EXPECT_EQ(first->state(), JobState::kQueued);
  first_waiter->wait_for_state(*first, JobState::kTransferring);
  EXPECT_EQ(first->state(), JobState::kTransferring);
  ASSERT_TRUE(first->cancel());
  ASSERT_TRUE(second->cancel());
}

TEST_F(ManagerTest, AddFileRejectsBadInputClearly) {
  auto manager = open();
  auto job = *manager->create_job("bad input");
  auto bad_scheme = job->add_file({"ftp://127.0.0.1/x", out_ / "x", std::nullopt});
  ASSERT_FALSE(bad_scheme);
  EXPECT_EQ(bad_scheme.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_NE(bad_scheme.error().message.find("scheme"), std::string::npos);
  auto relative = job->add_file({nginx_->url("x"), "relative/x", std::nullopt});
  ASSERT_FALSE(relative);
  EXPECT_NE(relative.error().message.find("absolute"), std::string::npos);
  auto missing_dir = job->add_file({nginx_->url("x"), out_ / "no/such/dir/x", std::nullopt});
  ASSERT_FALSE(missing_dir);
  auto bad_hash = job->add_file({nginx_->url("x"), out_ / "x", std::string("abc")});
  ASSERT_FALSE(bad_hash);
  ASSERT_TRUE(job->add_file({nginx_->url("x"), out_ / "x", std::nullopt}));
  auto duplicate = job->add_file({nginx_->url("y"), out_ / "x", std::nullopt});
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().message.find("already used"), std::string::npos);
  // A set with one bad file adds nothing.
  std::vector<api::FileSpec> set = {{nginx_->url("a"), out_ / "a", std::nullopt},
                                    {"gopher://h/b", out_ / "b", std::nullopt}};
  EXPECT_FALSE(job->add_file_set(set));
  EXPECT_EQ(job->files()->size(), 1u);
}

TEST_F(ManagerTest, ResumeOfAJobWithoutFilesIsRefused) {
  auto manager = open();
  auto job = *manager->create_job("empty");
  auto resumed = job->resume();
  ASSERT_FALSE(resumed);
  EXPECT_EQ(resumed.error().kind, api::ErrorKind::kNoFiles);
  EXPECT_EQ(resumed.error().message, "job has no files");
}

TEST_F(ManagerTest, FinalJobsArePurgedAfterTheirRetention) {
  api::JobId cancelled, suspended;
  {
    auto manager = open();
    auto job = new_job(*manager, nginx_->url("x"), out_ / "x");
    ASSERT_TRUE(job->cancel());
    cancelled = job->id();
    suspended = new_job(*manager, nginx_->url("y"), out_ / "y")->id();
    // Within the retention a final job still answers its getters.
    EXPECT_EQ((*manager->get_job(cancelled))->state(), JobState::kCancelled);
  }
  auto options = fast_options();
  options.final_job_retention = std::chrono::hours(0);
  options.purge_interval = 50ms;
  auto manager = open(options);
  EXPECT_EQ(manager->get_job(cancelled).error().kind, api::ErrorKind::kNotFound);
  auto still_there = manager->get_job(suspended);
  ASSERT_TRUE(still_there);
  // A running engine purges too: a job cancelled now goes at the next purge.
  ASSERT_TRUE((*still_there)->cancel());
  wait_until([&] { return !manager->get_job(suspended); }, 10s, 20ms);
  EXPECT_EQ(manager->get_job(suspended).error().kind, api::ErrorKind::kNotFound);
}

TEST_F(ManagerTest, AFullDiskIsAClearErrorAndLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  const auto small = out_.path() / "small";
  std::filesystem::create_directory(small);
  ASSERT_EQ(::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=1m"), 0) << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{small.string()};
  make_file("big.bin", 4 << 20);
  auto manager = open();
  auto job = new_job(*manager, nginx_->url("big.bin"), (small / "big.bin").string());
  ASSERT_TRUE(job->set_no_progress_timeout(0s));
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_for_state(*job, JobState::kError);
  ASSERT_EQ(info.state, JobState::kError);
  ASSERT_TRUE(info.error);
  EXPECT_EQ(info.error->kind, api::ErrorKind::kDiskFull) << info.error->describe();
  EXPECT_EQ(info.error->code, ENOSPC);
  EXPECT_EQ(info.error->protocol, api::Protocol::kLocal);
  EXPECT_TRUE(TestDir::list(small).empty());  // neither a destination nor a temporary file
}

TEST_F(ManagerTest, ARateCapHoldsFromTheFirstSecond) {
  make_file("big.bin", 16 << 20);
  auto manager = open();
  auto job = new_job(*manager, nginx_->url("big.bin"), out_ / "big.bin");
  constexpr std::uint64_t kRate = 2 << 20;
  ASSERT_TRUE(job->set_max_bytes_per_second(kRate));
  auto waiter = JobWaiter::attach(*job);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(job->resume());
  // Never more than the rate allows since the start, plus a small burst: an upper bound only,
  // so a slow machine cannot fail it.
  std::uint64_t worst_excess = 0;
  waiter->wait_until(*job, [&](const api::JobInfo& info) {
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    const auto allowed = static_cast<std::uint64_t>(kRate * elapsed.count()) + (512 << 10);
    if (info.progress.bytes_transferred > allowed) {
      worst_excess = std::max(worst_excess, info.progress.bytes_transferred - allowed);
    }
    return elapsed > 1500ms;
  });
  EXPECT_EQ(worst_excess, 0u);
  EXPECT_GT(job->info()->progress.bytes_transferred, 0u);
  ASSERT_TRUE(job->cancel());
}

TEST_F(ManagerTest, TheSameSha256UnderAnotherUrlComesFromTheCache) {
  const auto sha = make_file("first.bin", 3 << 20, 5);
  std::filesystem::create_directory(docroot_.path() / "mirror");
  std::filesystem::copy_file(docroot_.path() / "first.bin",
                             docroot_.path() / "mirror" / "again.bin");
  auto manager = open();
  auto download = [&](const std::string& path, const std::string& dest) {
    auto job = *manager->create_job("cached");
    EXPECT_TRUE(job->add_file({nginx_->url(path), out_ / dest, sha}));
    auto waiter = JobWaiter::attach(*job);
    EXPECT_TRUE(job->resume());
    auto info = waiter->wait_for_state(*job, JobState::kTransferred);
    EXPECT_EQ(info.state, JobState::kTransferred) << (info.error ? info.error->describe() : "");
    EXPECT_TRUE(job->complete());
    return info.files.at(0);
  };
  const auto first = download("first.bin", "a.bin");
  EXPECT_EQ(first.from_origin, 3u << 20);
  EXPECT_EQ(first.from_cache, 0u);
  const auto second = download("mirror/again.bin", "b.bin");
  EXPECT_EQ(second.from_cache, 3u << 20);
  EXPECT_EQ(second.from_origin, 0u);
  EXPECT_EQ(nginx_->body_bytes_sent("/mirror/again.bin"), 0u);  // the origin was not asked
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha);
  // The destination is a file of its own: changing it leaves the cache intact.
  { std::ofstream(out_ / "b.bin", std::ios::binary | std::ios::in) << "changed"; }
  EXPECT_EQ(download("first.bin", "c.bin").from_cache, 3u << 20);
  EXPECT_EQ(sha256_file(out_ / "c.bin").value_or(""), sha);
}

TEST_F(ManagerTest, ACorruptedCacheItemIsDetectedAndFetchedAgain) {
  const auto sha = make_file("f.bin", 1 << 20, 6);
  auto download = [&](const std::string& dest) {
    auto manager = open();
    auto job = *manager->create_job("cached");
    EXPECT_TRUE(job->add_file({nginx_->url("f.bin"), out_ / dest, sha}));
    auto waiter = JobWaiter::attach(*job);
    EXPECT_TRUE(job->resume());
    auto info = waiter->wait_for_state(*job, JobState::kTransferred);
    EXPECT_TRUE(job->complete());
    return info.files.at(0);
  };
  EXPECT_EQ(download("a.bin").from_origin, 1u << 20);
  // Damage the cached copy, and make it look like the process died with the cache open.
  const auto cache = state_.path() / "cache";
  const auto object = cache / "objects" / ("sha256-" + sha);
  ASSERT_TRUE(std::filesystem::exists(object));
  { std::ofstream(object, std::ios::binary | std::ios::in) << "rot"; }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((cache / "index.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "UPDATE meta SET value = 0 WHERE name = 'clean'", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto again = download("b.bin");
  EXPECT_EQ(again.from_cache, 0u);
  EXPECT_EQ(again.from_origin, 1u << 20);
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha);
}

TEST_F(ManagerTest, WithoutAnExpectedSha256NothingComesFromTheCache) {
  make_file("f.bin", 100000);
  auto manager = open();
  for (const char* dest : {"a", "b"}) {
    auto job = new_job(*manager, nginx_->url("f.bin"), out_ / dest);
    auto waiter = JobWaiter::attach(*job);
    ASSERT_TRUE(job->resume());
    auto info = waiter->wait_for_state(*job, JobState::kTransferred);
    EXPECT_EQ(info.files.at(0).from_cache, 0u);
    EXPECT_EQ(info.files.at(0).from_origin, 100000u);
  }
}

// SetNotifyCmdLine: the program runs (argv as given, no shell) once the job is TRANSFERRED,
// with the job in its environment; its exit status is kept in the job, across a reopen.
TEST_F(ManagerTest, TheNotifyCommandRunsWhenTheJobIsTransferred) {
  make_file("file.bin", 1000);
  auto manager = open();
  auto job = new_job(*manager, nginx_->url("file.bin"), out_ / "file.bin");
  const auto seen = out_ / "notified";
  ASSERT_TRUE(job->set_notify_cmd(
      {"/bin/sh", "-c", "echo \"$SWARMCOPY_JOB_ID $SWARMCOPY_JOB_STATE\" > \"$0\"; exit 5",
       seen.string()}));
  EXPECT_FALSE(job->info()->notify_cmd_status) << "not run yet";
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_until(
      *job, [](const api::JobInfo& i) { return i.notify_cmd_status.has_value(); }, 60s);
  ASSERT_EQ(info.notify_cmd_status, 5) << api::to_string(info.state);
  EXPECT_EQ(info.state, JobState::kTransferred);
  std::ifstream written(seen);
  std::string line;
  std::getline(written, line);
  EXPECT_EQ(line, job->id().to_string() + " TRANSFERRED");

  waiter.reset();
  job.reset();
  manager.reset();
  manager = open();
  const auto reopened = manager->job_infos().value();
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened[0].notify_cmd_status, 5);
  EXPECT_EQ(reopened[0].notify_cmd.size(), 4u);
}

TEST_F(ManagerTest, TheNotifyCommandRunsWhenTheJobFailsAndBadOnesAreRefused) {
  auto manager = open();
  auto job = new_job(*manager, nginx_->url("missing.bin"), out_ / "missing.bin");
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"sh", "-c", "exit 0"}, {"/bin/sh", std::string("a\0b", 3)}}) {
    const auto refused = job->set_notify_cmd(bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, api::ErrorKind::kInvalidArgument);
  }
  ASSERT_TRUE(job->set_notify_cmd({"/bin/sh", "-c", "test \"$SWARMCOPY_JOB_STATE\" = ERROR"}));
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_until(
      *job, [](const api::JobInfo& i) { return i.notify_cmd_status.has_value(); }, 60s);
  EXPECT_EQ(info.state, JobState::kError);
  EXPECT_EQ(info.notify_cmd_status, 0);
  // An empty list removes it.
  ASSERT_TRUE(job->set_notify_cmd({}));
  EXPECT_TRUE(job->info()->notify_cmd.empty());
}

TEST_F(ManagerTest, UnknownJobIsNotFound) {
  auto manager = open();
  auto job = manager->get_job(api::JobId::generate());
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().kind, api::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace swarmcopy::test
