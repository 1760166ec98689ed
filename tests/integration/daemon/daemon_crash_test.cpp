// kill -9 of swarmcopyd at random moments while several jobs (different priorities, a few
// files each) transfer from a rate-limited nginx, again and again, restarting the daemon each
// time. After every restart: the store opens (never corrupt), every job is in a state the
// contract allows and active jobs go on by themselves, nginx is never asked again for a byte
// the store had verified before the restart, a cancelled job leaves no temporary file. At the
// end every file is complete with the right SHA-256 and nothing else is left.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "job_store.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr int kRounds = 24;
constexpr int kCancelRound = 6;

struct TestFile {
  std::string name;  // under www/ and the job's out dir
  std::uint64_t size = 0;
  std::string sha;
};

struct TestJob {
  std::string name;
  std::string priority;
  std::vector<TestFile> files;
  std::string id;
  bool cancelled = false;
  bool acknowledged = false;
};

class DaemonCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "www");
    // 256 KB/s per connection (nginx lets the first second's worth through at once); the
    // engine uses several connections per file: the whole set takes several seconds.
    jobs_ = {
        {"fg",
         "foreground",
         {{"fg-0.bin", 1536 << 10, ""}, {"fg-1.bin", 1 << 20, ""}},
         "",
         false,
         false},
        {"high",
         "high",
         {{"high-0.bin", 1 << 20, ""}, {"high-1.bin", 768 << 10, ""}, {"high-2.bin", 1 << 20, ""}},
         "",
         false,
         false},
        {"normal",
         "normal",
         {{"normal-0.bin", 2 << 20, ""}, {"normal-1.bin", 300000, ""}},
         "",
         false,
         false},
        {"low",
         "low",
         {{"low-0.bin", 1 << 20, ""}, {"low-1.bin", 1280 << 10, ""}},
         "",
         false,
         false},
        {"doomed",
         "normal",
         {{"doomed-0.bin", 2 << 20, ""}, {"doomed-1.bin", 2 << 20, ""}},
         "",
         false,
         false},
    };
    std::uint64_t seed = 11;
    for (auto& job : jobs_) {
      std::filesystem::create_directories(out_dir(job));
      for (auto& file : job.files) {
        auto sha = write_test_file(dir_.path() / "www" / file.name, file.size, ++seed);
        ASSERT_TRUE(sha) << sha.error();
        file.sha = *sha;
        size_of_[file.name] = file.size;
      }
    }
    NginxOptions options;
    options.docroot = dir_.path() / "www";
    options.server_config = "limit_rate 256k;";
    auto nginx = NginxServer::start(options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
  }

  std::filesystem::path out_dir(const TestJob& job) const {
    return dir_.path() / ("out-" + job.name);
  }
  std::filesystem::path socket() const { return dir_.path() / "d.sock"; }

  std::unique_ptr<DaemonProcess> start_daemon() {
    auto daemon = DaemonProcess::start(daemon_options(dir_.path()));
    EXPECT_TRUE(daemon) << daemon.error();
    return daemon ? std::move(*daemon) : nullptr;
  }

  // Verified ranges per URI ("/fg-0.bin") as the store holds them; the store must open.
  std::map<std::string, engine::RangeSet> verified_in_store() {
    std::map<std::string, engine::RangeSet> verified;
    auto store = engine::JobStore::open(dir_.path() / "state" / "jobs.sqlite");
    EXPECT_TRUE(store) << store.error().describe();
    if (!store) return verified;
    auto jobs = (*store)->load_all();
    EXPECT_TRUE(jobs) << jobs.error().describe();
    if (!jobs) return verified;
    for (const auto& job : *jobs) {
      for (const auto& file : job.files) {
        verified[file.url.substr(file.url.find('/', std::string("http://").size()))] =
            file.verified;
      }
    }
    return verified;
  }

  void create_jobs() {
    for (auto& job : jobs_) {
      job.id = create_job(socket(), job.name);
      ASSERT_FALSE(job.id.empty());
      ASSERT_EQ(http_request(socket(), "PATCH", "/v1/jobs/" + job.id,
                             json{{"priority", job.priority}}.dump())
                    ->status,
                200);
      std::vector<std::pair<std::string, std::string>> files;
      for (const auto& file : job.files) {
        files.emplace_back(nginx_->url(file.name), (out_dir(job) / file.name).string());
      }
      ASSERT_EQ(http_request(socket(), "POST", "/v1/jobs/" + job.id + "/files", files_body(files))
                    ->status,
                200);
      ASSERT_EQ(http_request(socket(), "POST", "/v1/jobs/" + job.id + "/resume")->status, 200);
    }
  }

  // After a restart: every job in a state the contract allows; finished ones completed.
  void check_and_complete(int round) {
    for (auto& job : jobs_) {
      if (job.id.empty()) continue;
      auto response = http_request(socket(), "GET", "/v1/jobs/" + job.id);
      ASSERT_TRUE(response && response->status == 200) << "round " << round;
      const std::string state = response->json()["state"];
      if (job.cancelled) {
        EXPECT_EQ(state, "CANCELLED") << "round " << round;
      } else if (job.acknowledged) {
        EXPECT_EQ(state, "ACKNOWLEDGED") << "round " << round;
      } else {
        static const std::set<std::string> kAllowed = {"QUEUED", "CONNECTING", "TRANSFERRING",
                                                       "TRANSIENT_ERROR", "TRANSFERRED"};
        EXPECT_TRUE(kAllowed.contains(state)) << "round " << round << ": job " << job.name << " is "
                                              << state << " " << response->body;
        if (state == "TRANSFERRED") complete(job);
      }
    }
  }

  void complete(TestJob& job) {
    auto response = http_request(socket(), "POST", "/v1/jobs/" + job.id + "/complete");
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << response->body;
    job.acknowledged = true;
    for (const auto& file : job.files) {
      EXPECT_EQ(sha256_file(out_dir(job) / file.name).value_or(""), file.sha) << file.name;
    }
  }

  // nginx logs a request when its connection ends: wait for every one of them.
  void wait_for_nginx_idle() { EXPECT_TRUE(nginx_->wait_until_idle(std::chrono::seconds(10))); }

  // No request logged since `mark` asked for a byte in `verified`.
  void check_no_refetch(const std::map<std::string, engine::RangeSet>& verified, std::size_t& mark,
                        int round) {
    const auto log = nginx_->access_log();
    for (std::size_t i = mark; i < log.size(); ++i) {
      const auto& entry = log[i];
      if (entry.range == "bytes=0-0") continue;  // the identity probe at every start
      const auto found = verified.find(entry.uri);
      if (found == verified.end()) continue;
      unsigned long long first = 0, last = 0;
      const std::uint64_t size = size_of_[entry.uri.substr(1)];
      if (entry.range.empty()) {
        last = size - 1;
      } else if (std::sscanf(entry.range.c_str(), "bytes=%llu-%llu", &first, &last) != 2) {
        ASSERT_EQ(std::sscanf(entry.range.c_str(), "bytes=%llu-", &first), 1) << entry.range;
        last = size - 1;
      }
      for (const auto& range : found->second.ranges()) {
        EXPECT_FALSE(first < range.end && range.begin <= last)
            << "round " << round << " asked again for verified bytes of " << entry.uri << ": "
            << entry.range << " (verified " << range.begin << "-" << range.end << ")";
      }
    }
    mark = log.size();
  }

  void TearDown() override {
    if (HasFailure()) {
      std::ifstream log(dir_.path() / "daemon.log");
      std::string text((std::istreambuf_iterator<char>(log)), {});
      std::cerr << "daemon log (tail):\n"
                << text.substr(text.size() > 20000 ? text.size() - 20000 : 0);
    }
  }

  TestDir dir_;
  std::vector<TestJob> jobs_;
  std::map<std::string, std::uint64_t> size_of_;
  std::unique_ptr<NginxServer> nginx_;
};

TEST_F(DaemonCrashTest, KilledDaemonResumesEveryJobWithoutRefetchingVerifiedBytes) {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> alive_ms(100, 450);
  std::size_t log_mark = 0;
  int kills = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto verified =
        round == 0 ? std::map<std::string, engine::RangeSet>{} : verified_in_store();
    auto daemon = start_daemon();
    ASSERT_TRUE(daemon);
    if (round == 0) {
      ASSERT_NO_FATAL_FAILURE(create_jobs());
    } else {
      ASSERT_NO_FATAL_FAILURE(check_and_complete(round));
    }
    if (round == kCancelRound) {
      auto& doomed = jobs_.back();
      auto response = http_request(socket(), "POST", "/v1/jobs/" + doomed.id + "/cancel");
      ASSERT_TRUE(response);
      ASSERT_EQ(response->status, 200) << response->body;
      doomed.cancelled = true;
    }
    for (const auto& job : jobs_) {
      if (job.cancelled) {
        EXPECT_TRUE(TestDir::list(out_dir(job)).empty()) << "round " << round;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(alive_ms(random)));  // the kill moment
    daemon->kill_now();
    ++kills;
    wait_for_nginx_idle();
    ASSERT_NO_FATAL_FAILURE(check_no_refetch(verified, log_mark, round));
  }
  EXPECT_EQ(kills, kRounds);

  // A last start: nobody resumes anything; every remaining job finishes by itself.
  const auto verified = verified_in_store();
  std::uint64_t verified_total = 0;
  for (const auto& [uri, ranges] : verified) verified_total += ranges.total();
  EXPECT_GT(verified_total, 0u);
  std::cout << "verified before the last start: " << verified_total << " bytes\n";
  const auto last_start = SteadyClock::now();
  auto daemon = start_daemon();
  ASSERT_TRUE(daemon);
  ASSERT_NO_FATAL_FAILURE(check_and_complete(kRounds));
  for (auto& job : jobs_) {
    if (job.cancelled || job.acknowledged) continue;
    const auto last = wait_job(socket(), job.id, in_state("TRANSFERRED"), std::chrono::seconds(90));
    ASSERT_EQ(last.value("state", ""), "TRANSFERRED") << last.dump();
    ASSERT_NO_FATAL_FAILURE(complete(job));
  }
  std::cout << "last run: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                     last_start)
                   .count()
            << " ms\n";
  daemon->send_signal(SIGTERM);
  EXPECT_TRUE(daemon->wait_exit(std::chrono::seconds(10)));
  wait_for_nginx_idle();
  ASSERT_NO_FATAL_FAILURE(check_no_refetch(verified, log_mark, kRounds));

  for (const auto& job : jobs_) {
    std::vector<std::string> expected;
    if (!job.cancelled) {
      for (const auto& file : job.files) expected.push_back(file.name);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(TestDir::list(out_dir(job)), expected) << job.name;
  }
}

}  // namespace
}  // namespace swarmcopy::test
