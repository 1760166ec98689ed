// The embedded engine against an origin that misbehaves (FaultServer on loopback): every
// failure ends in the state the contract names, with a precise error, and never leaves a
// partial or corrupt file at the destination.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "fault_server/fault_server.h"
#include "job_waiter.h"
#include "loopback/loopback_peers.h"
#include "nginx/test_files.h"
#include "swarmcopy/engine/local_manager.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using api::ErrorKind;
using api::JobState;
using namespace std::chrono_literals;

std::string random_body(std::size_t size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string body(size, '\0');
  for (auto& c : body) c = static_cast<char>(rng());
  return body;
}

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    body_ = random_body(3 << 20, 42);
    server_.set_content(body_, "\"v1\"", "Wed, 21 Oct 2026 07:28:00 GMT");
    options_.min_retry_delay = 50ms;
    options_.max_retry_delay = 200ms;
    options_.checkpoint_interval = 50ms;
    options_.stall_timeout = 1s;
    options_.connect_timeout = 5s;
    keep_peers_on_loopback(options_.peer);
  }

  std::shared_ptr<api::Job> start(const std::string& path, std::chrono::seconds no_progress = 60s) {
    auto manager = engine::open_local(state_.path(), options_);
    EXPECT_TRUE(manager) << manager.error().describe();
    manager_ = *manager;
    auto job = *manager_->create_job("faults");
    auto added = job->add_file({server_.url(path), dest(), std::nullopt});
    EXPECT_TRUE(added) << added.error().describe();
    EXPECT_TRUE(job->set_no_progress_timeout(no_progress));
    waiter_ = JobWaiter::attach(*job);
    EXPECT_TRUE(job->resume());
    return job;
  }

  std::string dest() const { return out_ / "file.bin"; }

  api::JobInfo wait_final(api::Job& job) {
    return waiter_->wait_until(job, [](const api::JobInfo& i) {
      return i.state == JobState::kTransferred || i.state == JobState::kError;
    });
  }

  // TRANSFERRED with the right bytes, then completed: the destination holds exactly the body.
  void expect_downloads_intact(api::Job& job, const std::string& body) {
    auto info = wait_final(job);
    ASSERT_EQ(info.state, JobState::kTransferred) << (info.error ? info.error->describe() : "");
    ASSERT_TRUE(job.complete());
    EXPECT_EQ(sha256_file(dest()).value_or(""), sha256_hex(body));
    EXPECT_EQ(TestDir::list(out_.path()), std::vector<std::string>{"file.bin"});
  }

  // ERROR with `kind`, nothing at the destination.
  api::Error expect_error(api::Job& job, ErrorKind kind) {
    auto info = wait_final(job);
    EXPECT_EQ(info.state, JobState::kError);
    EXPECT_TRUE(info.error);
    if (!info.error) return {};
    EXPECT_EQ(info.error->kind, kind) << info.error->describe();
    EXPECT_FALSE(info.error->message.empty());
    EXPECT_FALSE(std::filesystem::exists(dest()));
    return *info.error;
  }

  // GETs of /f without a Range header (an origin that ignores Range: one per attempt).
  std::size_t whole_body_requests() const {
    std::size_t count = 0;
    for (const auto& request : server_.requests_for("/f")) count += request.range.empty() ? 1 : 0;
    return count;
  }

  FaultServer server_;
  std::string body_;
  engine::EngineOptions options_;
  TestDir state_;
  TestDir out_;
  std::shared_ptr<api::Manager> manager_;
  std::shared_ptr<JobWaiter> waiter_;
};

TEST_F(FaultsTest, NotFoundIsAPermanentErrorWithTheStatus) {
  server_.set_fault("/f", Fault::http_status(404));
  auto job = start("/f");
  const auto error = expect_error(*job, ErrorKind::kHttpStatus);
  EXPECT_EQ(error.code, 404);
  EXPECT_EQ(error.protocol, api::Protocol::kHttp);
  EXPECT_EQ(error.context, api::ErrorContext::kRemoteFile);
  EXPECT_EQ(error.file, server_.url("/f"));
  EXPECT_EQ(server_.requests_for("/f").size(), 1u);  // not retried
  EXPECT_TRUE(TestDir::list(out_.path()).empty());
}

TEST_F(FaultsTest, GoneIsAPermanentError) {
  server_.set_fault("/f", Fault::http_status(410));
  auto job = start("/f");
  EXPECT_EQ(expect_error(*job, ErrorKind::kHttpStatus).code, 410);
}

TEST_F(FaultsTest, ServerErrorIsRetriedUntilTheOriginRecovers) {
  server_.push_fault("/f", Fault::http_status(500), 2);
  auto job = start("/f");
  expect_downloads_intact(*job, body_);
  EXPECT_GE(server_.requests_for("/f").size(), 3u);
}

TEST_F(FaultsTest, ServiceUnavailableWaitsForRetryAfter) {
  server_.push_fault("/f", Fault::http_status(503, "1"));
  auto job = start("/f");
  expect_downloads_intact(*job, body_);
  const auto requests = server_.requests_for("/f");
  ASSERT_GE(requests.size(), 2u);
  // The retry came no sooner than the origin asked (1 s), not after the 50 ms minimum.
  EXPECT_GE(requests[1].time - requests[0].time, 1s);
}

// SetMinimumRetryDelay: the job's own delay replaces the engine's (an hour here, so any retry
// inside the test is the job's doing), doubling after each retry; GetErrorCount counts every
// transient error and survives a restart. Lower bounds on the gaps only: a slow machine makes
// them longer, never shorter.
TEST_F(FaultsTest, AJobsMinimumRetryDelayPacesItsRetriesAndCountsItsErrors) {
  options_.min_retry_delay = 1h;
  options_.max_retry_delay = 1h;
  server_.set_fault("/f", Fault::http_status(503));
  manager_ = engine::open_local(state_.path(), options_).value();
  auto job = *manager_->create_job("retries");
  ASSERT_TRUE(job->add_file({server_.url("/f"), dest(), std::nullopt}));
  ASSERT_TRUE(job->set_min_retry_delay(300ms));
  EXPECT_EQ(job->info()->min_retry_delay, 300ms);
  EXPECT_EQ(job->info()->error_count, 0u);
  waiter_ = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());

  auto info = waiter_->wait_until(
      *job, [](const api::JobInfo& i) { return i.error_count >= 3; }, 30s);
  ASSERT_GE(info.error_count, 3u) << "state " << api::to_string(info.state);
  EXPECT_EQ(info.state, JobState::kTransientError);
  const auto requests = server_.requests_for("/f");
  ASSERT_GE(requests.size(), 3u);
  EXPECT_GE(requests[1].time - requests[0].time, 300ms);
  EXPECT_GE(requests[2].time - requests[1].time, 600ms) << "the delay doubles";

  const auto counted = info.error_count;
  ASSERT_TRUE(job->suspend());
  waiter_.reset();
  job.reset();
  manager_.reset();
  manager_ = engine::open_local(state_.path(), options_).value();
  auto reopened = manager_->job_infos().value();
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened[0].error_count, counted);
  EXPECT_EQ(reopened[0].min_retry_delay, 300ms);
}

TEST_F(FaultsTest, AMinimumRetryDelayOutsideOneMillisecondToOneDayIsRefused) {
  manager_ = engine::open_local(state_.path(), options_).value();
  auto job = *manager_->create_job("bounds");
  for (const auto delay : {0ms, std::chrono::milliseconds(24h) + 1ms}) {
    const auto set = job->set_min_retry_delay(delay);
    ASSERT_FALSE(set) << delay.count();
    EXPECT_EQ(set.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_EQ(job->info()->min_retry_delay, options_.min_retry_delay) << "the engine's default";
  EXPECT_TRUE(job->set_min_retry_delay(24h));
}

TEST_F(FaultsTest, TooManyRequestsIsTransient) {
  server_.push_fault("/f", Fault::http_status(429));
  auto job = start("/f");
  expect_downloads_intact(*job, body_);
}

TEST_F(FaultsTest, ATransientErrorIsFinalWhenTheNoProgressTimeoutIsZero) {
  server_.set_fault("/f", Fault::http_status(503));
  auto job = start("/f", 0s);
  const auto error = expect_error(*job, ErrorKind::kHttpStatus);
  EXPECT_EQ(error.code, 503);
  EXPECT_NE(error.message.find("no-progress timeout"), std::string::npos) << error.message;
  // The callback runs on the notifier thread, after the state the job reports: wait for it
  // (as manager_test does), then there must be exactly one.
  waiter_->wait_until(
      *job, [this](const api::JobInfo&) { return !waiter_->errors().empty(); }, 10s);
  EXPECT_EQ(waiter_->errors().size(), 1u);
}

TEST_F(FaultsTest, AnOriginThatIgnoresRangeIsFetchedInOneStream) {
  server_.set_fault("/f", Fault::ignore_range());
  auto job = start("/f");
  expect_downloads_intact(*job, body_);
  bool whole_body_request = false;
  for (const auto& request : server_.requests_for("/f")) {
    if (request.range.empty()) whole_body_request = true;
  }
  EXPECT_TRUE(whole_body_request);
}

// An origin that ignores Range starts every attempt at byte 0. Refetching bytes the job had
// verified once is not progress: the no-progress timeout still ends the job, and the retries
// back off (the daemon used to ask for the whole file every 2 s forever).
TEST_F(FaultsTest, RefetchingFromByteZeroIsNotProgress) {
  server_.set_fault("/f", Fault::ignore_range_reset_after(512 << 10));
  auto job = start("/f", 3s);
  // The error keeps the last failure's kind and says the timeout ended it.
  const auto error = expect_error(*job, ErrorKind::kTransport);
  EXPECT_NE(error.message.find("no-progress timeout"), std::string::npos) << error.message;
  // 50 ms doubling to 200 ms over 3 s: about 17 attempts (a probe and a whole-body GET each;
  // the mark may rise a little when a reset drops the tail of an attempt, which restarts the
  // backoff). The loop this replaces never ended.
  EXPECT_LT(whole_body_requests(), 40u);
}

// The same with a full disk: every attempt fails with ENOSPC after the bytes that fit.
TEST_F(FaultsTest, AFullDiskBacksOffAndEndsAtTheNoProgressTimeout) {
  const auto disk = out_.path() / "small-disk";
  std::filesystem::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=1m") != 0) {
    GTEST_SKIP() << "cannot mount a 1 MiB tmpfs (needs root): " << std::strerror(errno);
  }
  struct Unmount {
    std::filesystem::path dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{disk};
  server_.set_fault("/f", Fault::ignore_range());  // 3 MiB: never fits
  auto manager = engine::open_local(state_.path(), options_);
  ASSERT_TRUE(manager) << manager.error().describe();
  manager_ = *manager;
  auto job = *manager_->create_job("full disk");
  ASSERT_TRUE(job->add_file({server_.url("/f"), (disk / "file.bin").string(), std::nullopt}));
  ASSERT_TRUE(job->set_no_progress_timeout(3s));
  waiter_ = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  const auto info = wait_final(*job);
  ASSERT_EQ(info.state, JobState::kError);
  ASSERT_TRUE(info.error);
  EXPECT_EQ(info.error->kind, ErrorKind::kDiskFull) << info.error->describe();
  EXPECT_NE(info.error->message.find("no-progress timeout"), std::string::npos)
      << info.error->describe();
  EXPECT_LT(whole_body_requests(), 40u);
  EXPECT_FALSE(std::filesystem::exists(disk / "file.bin"));
}

TEST_F(FaultsTest, AnEncodedBodyIsRefused) {
  server_.set_fault("/f", Fault::gzip());
  auto job = start("/f");
  expect_error(*job, ErrorKind::kBadContentEncoding);
  for (const auto& request : server_.requests_for("/f")) {
    EXPECT_EQ(request.accept_encoding, "identity");
  }
}

TEST_F(FaultsTest, AShortBodyIsCompletedByLaterRanges) {
  server_.push_fault("/f", Fault::none());  // the identity probe
  server_.push_fault("/f", Fault::short_body(100000), 3);
  auto job = start("/f");
  expect_downloads_intact(*job, body_);
}

TEST_F(FaultsTest, AConnectionResetMidBodyIsResumed) {
  server_.push_fault("/f", Fault::none());
  server_.push_fault("/f", Fault::reset_after(200000), 3);
  auto job = start("/f");
  expect_downloads_intact(*job, body_);
}

TEST_F(FaultsTest, ContentChangingMidTransferIsAnErrorAndNothingIsMixed) {
  server_.push_fault("/f", Fault::none());
  server_.set_fault("/f", Fault::stall_after(100000));
  auto job = start("/f");
  waiter_->wait_for_state(*job, JobState::kTransferring);
  ASSERT_EQ(job->state(), JobState::kTransferring);
  // The file changes at the origin (new bytes, size and ETag) while ranges are in flight.
  const auto new_body = random_body((3 << 20) + 12345, 7);
  server_.set_content(new_body);
  server_.clear_faults();
  const auto error = expect_error(*job, ErrorKind::kContentChanged);
  EXPECT_NE(error.message.find("changed"), std::string::npos);
  // Resume starts afresh with the new content: none of the old bytes survive.
  ASSERT_TRUE(job->resume());
  expect_downloads_intact(*job, new_body);
}

TEST_F(FaultsTest, ContentChangedWhileSuspendedIsDetectedOnResume) {
  server_.push_fault("/f", Fault::none());
  server_.set_fault("/f", Fault::stall_after(100000));
  auto job = start("/f");
  waiter_->wait_until(*job, [](const api::JobInfo& i) { return i.progress.bytes_transferred > 0; });
  ASSERT_TRUE(job->suspend());
  server_.clear_faults();
  // Same size and date, new ETag.
  server_.set_content(random_body(3 << 20, 9), "\"other\"", server_.last_modified());
  ASSERT_TRUE(job->resume());
  expect_error(*job, ErrorKind::kContentChanged);
}

TEST_F(FaultsTest, AStalledServerEndsAtTheNoProgressTimeout) {
  server_.set_fault("/f", Fault::stall_after(0));
  auto job = start("/f", 2s);
  waiter_->wait_for_state(*job, JobState::kTransientError);
  EXPECT_EQ(job->state(), JobState::kTransientError);
  const auto error = expect_error(*job, ErrorKind::kTransport);
  EXPECT_EQ(error.code, 28);  // CURLE_OPERATION_TIMEDOUT
  EXPECT_NE(error.message.find("no progress"), std::string::npos) << error.message;
}

TEST_F(FaultsTest, ARedirectChainIsFollowed) {
  server_.set_fault("/a", Fault::redirect("/b", 301));
  server_.set_fault("/b", Fault::redirect("/f", 307));
  auto job = start("/a");
  expect_downloads_intact(*job, body_);
}

TEST_F(FaultsTest, ARedirectLoopIsAPermanentError) {
  server_.set_fault("/loop1", Fault::redirect("/loop2"));
  server_.set_fault("/loop2", Fault::redirect("/loop1"));
  auto job = start("/loop1");
  const auto error = expect_error(*job, ErrorKind::kTransport);
  EXPECT_EQ(error.code, 47);  // CURLE_TOO_MANY_REDIRECTS
}

TEST_F(FaultsTest, AHugeHeaderIsAClearError) {
  server_.set_fault("/f", Fault::huge_header(200 * 1024));
  auto job = start("/f", 0s);
  const auto error = expect_error(*job, ErrorKind::kTransport);
  EXPECT_NE(error.message.find("header"), std::string::npos) << error.message;
}

TEST_F(FaultsTest, ARefusedConnectionIsTransient) {
  // A port that nobody listens on: bind, read the port, close.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/f";

  auto manager = *engine::open_local(state_.path(), options_);
  auto job = *manager->create_job("refused");
  ASSERT_TRUE(job->add_file({url, dest(), std::nullopt}));
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_for_state(*job, JobState::kTransientError);
  ASSERT_EQ(info.state, JobState::kTransientError);
  ASSERT_TRUE(info.error);
  EXPECT_EQ(info.error->kind, ErrorKind::kTransport);
  EXPECT_EQ(info.error->code, 7);  // CURLE_COULDNT_CONNECT
  EXPECT_EQ(info.error->context, api::ErrorContext::kGeneralTransport);
  ASSERT_TRUE(job->cancel());
}

}  // namespace
}  // namespace swarmcopy::test
