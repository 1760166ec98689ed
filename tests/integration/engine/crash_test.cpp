// kill -9 at random moments: a child process runs the embedded engine on a 256 MiB file and
// is killed again and again mid-transfer. Every restart resumes from the store without asking
// the origin for a byte that was already verified, the store is never corrupt, and the end
// is the right file with no temporary file left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "job_store.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

pid_t spawn_worker(const std::string& state, const std::string& url, const std::string& dest) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(SWARMCOPY_ENGINE_WORKER, SWARMCOPY_ENGINE_WORKER, state.c_str(), url.c_str(),
            dest.c_str(), nullptr);
    ::_exit(127);
  }
  return pid;
}

// Waits (bounded) for a child; nullopt when it is still running at the deadline.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    ::usleep(10000);
  }
}

engine::RangeSet verified_in_store(const std::filesystem::path& state) {
  auto store = engine::JobStore::open(state / "jobs.sqlite");
  EXPECT_TRUE(store) << store.error().describe();  // never corrupt, whenever the kill came
  if (!store) return {};
  auto jobs = (*store)->load_all();
  EXPECT_TRUE(jobs);
  if (!jobs || jobs->empty() || jobs->front().files.empty()) return {};
  return jobs->front().files.front().verified;
}

TEST(CrashTest, KilledEngineResumesWithoutRefetchingVerifiedBytes) {
  constexpr std::uint64_t kSize = 256ull << 20;
  TestDir docroot, state, out;
  const auto sha = write_test_file(docroot.path() / "big.bin", kSize);
  ASSERT_TRUE(sha) << sha.error();
  NginxOptions options;
  options.docroot = docroot.path();
  // 4 connections at 8 MiB/s each: the whole file takes about 8 s, so kills land mid-way.
  options.server_config = "limit_rate 8m;";
  auto nginx = NginxServer::start(options);
  ASSERT_TRUE(nginx) << nginx.error();
  const auto url = (*nginx)->url("big.bin");
  const auto dest = out / "big.bin";

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(150, 450);
  int kills = 0;
  std::size_t log_mark = 0;
  bool finished_early = false;
  for (int round = 0; round < 12; ++round) {
    const auto verified = verified_in_store(state.path());
    const pid_t worker = spawn_worker(state.path().string(), url, dest);
    ASSERT_GT(worker, 0);
    const auto exited = wait_exit(worker, std::chrono::milliseconds(delay_ms(rng)));
    if (exited) {
      finished_early = true;
      ASSERT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0);
      break;
    }
    ::kill(worker, SIGKILL);
    ASSERT_TRUE(wait_exit(worker, 10s));
    ++kills;
    // nginx logs a request when its connection ends: wait for every one of them.
    ASSERT_TRUE((*nginx)->wait_until_idle(10s));
    const auto log = (*nginx)->access_log();
    for (std::size_t i = log_mark; i < log.size(); ++i) {
      if (log[i].range == "bytes=0-0") continue;       // the identity probe
      if (log[i].uri.ends_with(".torrent")) continue;  // the metadata lookup (there is none)
      unsigned long long first = 0, last = 0;
      ASSERT_EQ(std::sscanf(log[i].range.c_str(), "bytes=%llu-%llu", &first, &last), 2)
          << log[i].range;
      for (const auto& range : verified.ranges()) {
        EXPECT_FALSE(first < range.end && range.begin <= last)
            << "round " << round << " asked again for verified bytes " << log[i].range;
      }
    }
    log_mark = log.size();
  }
  EXPECT_GE(kills, 10) << "the transfer finished before enough kills";
  EXPECT_GT(verified_in_store(state.path()).total(), 0u);

  if (!finished_early) {
    const pid_t worker = spawn_worker(state.path().string(), url, dest);
    const auto exited = wait_exit(worker, 120s);
    if (!exited) ::kill(worker, SIGKILL), wait_exit(worker, 10s);
    ASSERT_TRUE(exited);
    ASSERT_TRUE(WIFEXITED(*exited));
    ASSERT_EQ(WEXITSTATUS(*exited), 0);
  }
  EXPECT_EQ(sha256_file(dest).value_or(""), *sha);
  EXPECT_EQ(TestDir::list(out.path()), std::vector<std::string>{"big.bin"});
}

}  // namespace
}  // namespace swarmcopy::test
