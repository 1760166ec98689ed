// The shared engine (Service) as the daemon uses it: per-user views, isolation, the admin
// view, per-user limits, the event observer, and files written with the owner's credentials.
#include "swarmcopy/engine/service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "job_waiter.h"
#include "loopback/loopback_peers.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using engine::Caller;
using namespace std::chrono_literals;

// nobody/nogroup exist on every Debian system; the tests need no user of their own.
constexpr std::uint32_t kNobody = 65534;
constexpr std::uint32_t kNogroup = 65534;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.max_jobs_per_user = 3;
    options.checkpoint_interval = 50ms;
    keep_peers_on_loopback(options.peer);
    auto service = engine::open_service(state_.path(), options);
    ASSERT_TRUE(service) << service.error().describe();
    service_ = *service;
  }

  TestDir state_;
  std::shared_ptr<engine::Service> service_;
  const Caller alice_{5001, 5001, false, std::nullopt};
  const Caller bob_{5002, 5002, false, std::nullopt};
  const Caller root_{0, 0, true, std::nullopt};
};

TEST_F(ServiceTest, AnotherUsersJobIsIndistinguishableFromAnUnknownOne) {
  auto alice = service_->manager_for(alice_);
  auto bob = service_->manager_for(bob_);
  auto job = *alice->create_job("alice's");
  auto seen_by_bob = bob->get_job(job->id());
  auto unknown = bob->get_job(api::JobId::generate());
  ASSERT_FALSE(seen_by_bob);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(seen_by_bob.error().kind, api::ErrorKind::kNotFound);
  EXPECT_EQ(seen_by_bob.error().kind, unknown.error().kind);
  EXPECT_EQ(bob->jobs()->size(), 0u);
  EXPECT_EQ(alice->jobs()->size(), 1u);
  EXPECT_EQ((*job->info()).owner_uid, alice_.uid);
}

TEST_F(ServiceTest, TheAdministratorSeesAndActsOnEveryJob) {
  auto alice_job = *service_->manager_for(alice_)->create_job("a");
  auto bob_job = *service_->manager_for(bob_)->create_job("b");
  auto root = service_->manager_for(root_);
  EXPECT_EQ(root->jobs()->size(), 2u);
  auto as_root = root->get_job(alice_job->id());
  ASSERT_TRUE(as_root);
  ASSERT_TRUE((*as_root)->cancel());
  EXPECT_EQ(alice_job->state(), api::JobState::kCancelled);
  // Root's own, non-admin view lists only root's jobs.
  EXPECT_EQ(service_->manager_for(Caller{0, 0, false, std::nullopt})->jobs()->size(), 0u);
}

TEST_F(ServiceTest, JobLimitsArePerUser) {
  auto alice = service_->manager_for(alice_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(alice->create_job("ok"));
  auto refused = alice->create_job("one too many");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, api::ErrorKind::kLimitExceeded);
  EXPECT_NE(refused.error().message.find("for this user"), std::string::npos);
  EXPECT_TRUE(service_->manager_for(bob_)->create_job("bob is not limited by alice"));
  EXPECT_EQ(service_->job_count(alice_.uid), 3u);
  EXPECT_EQ(service_->job_count(std::nullopt), 4u);
}

TEST_F(ServiceTest, TheObserverSeesEveryJobsEventsWithTheirOwner) {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<engine::JobEvent> events;
  service_->set_observer([&](const engine::JobEvent& event) {
    std::lock_guard lock(mutex);
    events.push_back(event);
    cv.notify_all();
  });
  auto job = *service_->manager_for(alice_)->create_job("observed");
  ASSERT_TRUE(job->set_priority(api::Priority::kLow));  // a modification, flags not set for it
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return !events.empty(); }));
  EXPECT_EQ(events.front().job, job->id());
  EXPECT_EQ(events.front().owner_uid, alice_.uid);
  EXPECT_EQ(events.front().type, engine::JobEvent::Type::kModification);
}

class OwnerCredentialsTest : public ServiceTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "switching file credentials needs root";
    ServiceTest::SetUp();
    auto sha = write_test_file(docroot_.path() / "f.bin", 300000);
    ASSERT_TRUE(sha);
    sha_ = *sha;
    NginxOptions options;
    options.docroot = docroot_.path();
    auto server = NginxServer::start(options);
    ASSERT_TRUE(server) << server.error();
    nginx_ = std::move(*server);
    // The test dirs must be traversable by nobody.
    ::chmod(out_.path().c_str(), 0755);
  }

  TestDir docroot_;
  TestDir out_;
  std::string sha_;
  std::unique_ptr<NginxServer> nginx_;
  const Caller nobody_{kNobody, kNogroup, false, std::nullopt};
};

TEST_F(OwnerCredentialsTest, AUserCannotMakeTheServiceWriteWhereTheUserCannot) {
  const auto root_only = out_.path() / "root-only";
  std::filesystem::create_directory(root_only);
  ::chmod(root_only.c_str(), 0755);  // owned by root: nobody may not create files here
  auto job = *service_->manager_for(nobody_)->create_job("sneaky");
  auto added = job->add_file({nginx_->url("f.bin"), (root_only / "f.bin").string(), std::nullopt});
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_NE(added.error().message.find("not writable"), std::string::npos);
  EXPECT_TRUE(TestDir::list(root_only).empty());
}

TEST_F(OwnerCredentialsTest, FilesAreCreatedAndOwnedByTheJobsOwner) {
  const auto home = out_.path() / "nobody-home";
  std::filesystem::create_directory(home);
  ASSERT_EQ(::chown(home.c_str(), kNobody, kNogroup), 0);
  ::chmod(home.c_str(), 0700);  // only nobody (and root) may enter
  auto job = *service_->manager_for(nobody_)->create_job("owned");
  const auto dest = (home / "f.bin").string();
  ASSERT_TRUE(job->add_file({nginx_->url("f.bin"), dest, sha_}));
  auto waiter = JobWaiter::attach(*job);
  ASSERT_TRUE(job->resume());
  auto info = waiter->wait_for_state(*job, api::JobState::kTransferred, 30s);
  ASSERT_EQ(info.state, api::JobState::kTransferred) << (info.error ? info.error->describe() : "");
  ASSERT_TRUE(job->complete());
  struct stat st {};
  ASSERT_EQ(::stat(dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_gid, kNogroup);
  EXPECT_EQ(sha256_file(dest).value_or(""), sha_);
  // The service thread is root again afterwards: a root-owned file is still created as root.
  auto mine = *service_->manager_for(Caller{0, 0, false, std::nullopt})->create_job("root's");
  const auto root_dest = (out_.path() / "root.bin").string();
  ASSERT_TRUE(mine->add_file({nginx_->url("f.bin"), root_dest, std::nullopt}));
  auto root_waiter = JobWaiter::attach(*mine);
  ASSERT_TRUE(mine->resume());
  ASSERT_EQ(root_waiter->wait_for_state(*mine, api::JobState::kTransferred, 30s).state,
            api::JobState::kTransferred);
  ASSERT_TRUE(mine->complete());
  ASSERT_EQ(::stat(root_dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
}

}  // namespace
}  // namespace swarmcopy::test
