// kill -9 at random moments: a child process runs the embedded engine on a 256 MiB file and
// is killed again and again mid-transfer. Every restart resumes from the store without asking
// the origin for a byte that was already verified, the store is never corrupt, the counts
// survive every kill (each byte of the file once in from_origin, bytes that came again in
// refetched), and the end is the right file with no temporary file left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "job_store.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

// The engine worker on `state`, its output appended to `log` (nobody reads it while it runs).
std::unique_ptr<ChildProcess> spawn_worker(const std::string& state, const std::string& url,
                                           const std::string& dest,
                                           const std::filesystem::path& log) {
  auto worker = ChildProcess::spawn({SWARMCOPY_ENGINE_WORKER, state, url, dest}, {.log = log});
  EXPECT_TRUE(worker) << worker.error();
  return worker ? std::move(*worker) : nullptr;
}

engine::FileRecord file_in_store(const std::filesystem::path& state) {
  auto store = engine::JobStore::open(state / "jobs.sqlite");
  EXPECT_TRUE(store) << store.error().describe();  // never corrupt, whenever the kill came
  if (!store) return {};
  auto jobs = (*store)->load_all();
  EXPECT_TRUE(jobs);
  if (!jobs || jobs->empty() || jobs->front().files.empty()) return {};
  return jobs->front().files.front();
}

// What every commit keeps, whenever the kill came: each received byte counted once by source,
// and nothing verified that was not received.
void expect_counts_consistent(const engine::FileRecord& file, int round) {
  EXPECT_EQ(file.from_origin + file.from_peers + file.from_cache, file.received.total())
      << "round " << round;
  for (const auto& range : file.verified.ranges()) {
    EXPECT_TRUE(file.received.contains(range)) << "round " << round;
  }
}

TEST(CrashTest, KilledEngineResumesWithoutRefetchingVerifiedBytes) {
  constexpr std::uint64_t kSize = 256ull << 20;
  TestDir docroot, state, out, logs;
  const auto sha = write_test_file(docroot.path() / "big.bin", kSize);
  ASSERT_TRUE(sha) << sha.error();
  NginxOptions options;
  options.docroot = docroot.path();
  // 4 connections at 8 MiB/s each: the whole file takes about 8 s, so kills land mid-way.
  options.server_config = "limit_rate 8m;";
  auto nginx = NginxServer::start(options);
  ASSERT_TRUE(nginx) << nginx.error();
  const auto url = (*nginx)->url("big.bin");
  const auto dest = (out / "big.bin").string();
  const auto worker_log = logs / "engine_worker.log";

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(150, 450);
  int kills = 0;
  std::size_t log_mark = 0;
  bool finished_early = false;
  // Bytes the store knew had arrived but had not been synced at the last kill: the next runs
  // must fetch them again, and count them as refetched.
  std::uint64_t lost_at_last_kill = 0;
  std::uint64_t refetched_at_last_kill = 0;
  for (int round = 0; round < 12; ++round) {
    const auto stored = file_in_store(state.path());
    const auto& verified = stored.verified;
    expect_counts_consistent(stored, round);
    EXPECT_GE(stored.refetched, refetched_at_last_kill) << "round " << round;
    const auto worker = spawn_worker(state.path().string(), url, dest, worker_log);
    ASSERT_NE(worker, nullptr);
    // The kill moment: a random time, unless the worker is done by then.
    const auto exited = worker->wait_exit(std::chrono::milliseconds(delay_ms(rng)));
    if (exited) {
      finished_early = true;
      ASSERT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0);
      break;
    }
    worker->send_signal(SIGKILL);
    ASSERT_TRUE(worker->wait_exit(10s));
    ++kills;
    const auto killed = file_in_store(state.path());
    lost_at_last_kill = killed.received.total() - killed.verified.total();
    refetched_at_last_kill = killed.refetched;
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
  EXPECT_GT(file_in_store(state.path()).verified.total(), 0u);

  if (!finished_early) {
    const auto worker = spawn_worker(state.path().string(), url, dest, worker_log);
    ASSERT_NE(worker, nullptr);
    const auto exited = worker->wait_exit(120s);  // else the ChildProcess kills and reaps it
    ASSERT_TRUE(exited);
    ASSERT_TRUE(WIFEXITED(*exited));
    ASSERT_EQ(WEXITSTATUS(*exited), 0);
  }
  EXPECT_EQ(sha256_file(dest).value_or(""), *sha);
  EXPECT_EQ(TestDir::list(out.path()), std::vector<std::string>{"big.bin"});

  // Each byte of the file once, by its source; the last run (never killed) fetched again at
  // least what the last kill had lost; and no count holds a byte nginx did not send.
  const auto done = file_in_store(state.path());
  expect_counts_consistent(done, -1);
  EXPECT_EQ(done.from_origin, kSize);
  EXPECT_EQ(done.from_peers + done.from_cache, 0u);
  EXPECT_GE(done.refetched, refetched_at_last_kill + lost_at_last_kill);
  ASSERT_TRUE((*nginx)->wait_until_idle(10s));
  EXPECT_LE(done.from_origin + done.refetched, (*nginx)->body_bytes_sent("/big.bin"));
  std::printf("kills %d: refetched %llu bytes, nginx sent %llu for a %llu-byte file\n", kills,
              static_cast<unsigned long long>(done.refetched),
              static_cast<unsigned long long>((*nginx)->body_bytes_sent("/big.bin")),
              static_cast<unsigned long long>(kSize));
}

}  // namespace
}  // namespace swarmcopy::test
